package io.tributary.controlplane.assignment;

import io.quarkus.runtime.ShutdownEvent;
import io.tributary.controlplane.common.TributaryConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.jboss.logging.Logger;

/**
 * Fast death detection: the scheduler asks about a server that missed a report; a TCP connect to
 * its agent's port that is refused proves the process is gone (the host answers, nobody listens),
 * so the server can go down before the full failover timeout. A timeout, no route or an accepted
 * connection proves nothing (a partition looks like that) and leaves the decision to the timeout.
 */
@ApplicationScoped
public class DeathProbe {
    private static final Logger LOG = Logger.getLogger(DeathProbe.class);
    static final int CONNECT_TIMEOUT_MS = 500;
    /** An inconclusive probe is repeated after this long while the server stays silent. */
    static final long RETRY_MS = 500;

    private final TributaryConfig config;
    private final Clock clock;
    private final Scheduler scheduler;
    private final Map<String, Probe> probes = new ConcurrentHashMap<>();
    private final ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "tributary-death-probe");
        t.setDaemon(true);
        return t;
    });

    public DeathProbe(TributaryConfig config, Clock clock, Scheduler scheduler) {
        this.config = config;
        this.clock = clock;
        this.scheduler = scheduler;
    }

    void onStop(@Observes ShutdownEvent ev) {
        executor.shutdownNow();
    }

    /** Silence after which a server is probed (ms); 0 turns probing off. */
    public long suspectAfterMs() {
        return config.deathProbeAfterMs().orElse(config.reportIntervalMs() * 3 / 2);
    }

    private record Probe(Instant startedAt, String url, Instant doneAt, String refusal) {
        Probe done(Instant at, String why) {
            return new Probe(startedAt, url, at, why);
        }
    }

    /**
     * Whether {@code host}, silent since {@code lastSeen}, is proven dead: returns why (its agent
     * refused a connection after its last report), or null. Starts a probe of {@code agentUrl} when
     * none newer than the last report is known; a refusal wakes the scheduler.
     */
    public String provenDead(String host, String agentUrl, Instant lastSeen) {
        if (suspectAfterMs() <= 0 || agentUrl == null || lastSeen == null) {
            return null;
        }
        Instant now = Instant.now(clock);
        Probe p = probes.get(host);
        if (p != null && !p.startedAt().isBefore(lastSeen) && p.url().equals(agentUrl)) {
            if (p.doneAt() == null) {
                return null; // still probing
            }
            if (p.refusal() != null) {
                return p.refusal();
            }
            if (p.doneAt().plusMillis(RETRY_MS).isAfter(now)) {
                return null;
            }
        }
        start(host, agentUrl, now);
        return null;
    }

    /** Forgets a server (it went down or reported again). */
    public void forget(String host) {
        probes.remove(host);
    }

    private void start(String host, String agentUrl, Instant now) {
        Probe p = new Probe(now, agentUrl, null, null);
        probes.put(host, p);
        try {
            executor.execute(() -> {
                String why = refusedBy(agentUrl);
                Probe done = p.done(Instant.now(clock), why);
                if (probes.replace(host, p, done) && why != null) {
                    LOG.infof("host=%s: %s", host, why);
                    scheduler.wake();
                }
            });
        } catch (RejectedExecutionException e) {
            probes.remove(host, p);
        }
    }

    /** Why a connect to the agent proves it dead ("connection refused"), or null when it proves nothing. */
    static String refusedBy(String agentUrl) {
        URI u;
        try {
            u = URI.create(agentUrl);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (u.getHost() == null) {
            return null;
        }
        int port = u.getPort() > 0 ? u.getPort() : "https".equals(u.getScheme()) ? 443 : 80;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(u.getHost(), port), CONNECT_TIMEOUT_MS);
            return null; // something listens: alive, or at least not provably dead
        } catch (ConnectException e) {
            String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
            return m.contains("refused") ? u.getHost() + ":" + port + " refused the connection (the agent's process is gone)"
                    : null;
        } catch (IOException | RuntimeException e) {
            return null; // timeout, no route, unknown host: maybe a partition, wait for failover_timeout
        }
    }
}
