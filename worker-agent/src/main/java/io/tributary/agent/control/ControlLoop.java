package io.tributary.agent.control;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.tributary.agent.AgentConfig;
import io.tributary.agent.ingest.Backoff;
import io.tributary.agent.ingest.CaptureSupervisor;
import io.tributary.api.Json;
import io.tributary.api.agent.AgentReport;
import io.tributary.api.agent.AgentReportResponse;
import io.tributary.api.stream.StreamConfig;

/**
 * Talks to the control plane on its own thread (never an event loop): reports at the interval the
 * control plane asks for, polls the config backend (at least every poll interval, at once when
 * the report answer's ETag differs) and applies the result. When the control plane is
 * unreachable it keeps the last good config running.
 */
public final class ControlLoop implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ControlLoop.class.getName());
    private static final long DEFAULT_INTERVAL_MS = 1000;
    private static final int MAX_PAGES = 1000;
    private static final Duration PEER_TIMEOUT = Duration.ofMillis(1000);

    private final AgentConfig config;
    private final CaptureSupervisor supervisor;
    private final Supplier<AgentReport> reports;
    private final ObjectMapper json = Json.mapper();
    private final HttpClient http;
    private final ScheduledExecutorService executor;
    private volatile long intervalMs = DEFAULT_INTERVAL_MS;
    private volatile boolean reachable;
    private volatile String configEtag;
    private volatile long nextPollNanos;
    private volatile boolean polledOnce;
    /** What the last complete answer refused (the detail of a validation_error), or null. */
    private volatile String lastRefused;
    private volatile AgentReport.ConfigExternalError configError;
    private final AtomicLong pollFailures = new AtomicLong();
    private final Backoff pollBackoff;
    private final LeaseFence fence;
    private final AtomicLong peerChecks = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicBoolean nudgePending = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean closed;
    private volatile java.util.function.Consumer<String> dvrDelete = name -> { };
    private long failuresLogged;
    private long pollFailuresLogged;

    private volatile java.util.function.Consumer<List<io.tributary.api.agent.StreamSource>> sources = s -> { };

    /** Where a report answer's {@code sources} go (the placement of the streams this agent pulls: the edge follows moves). */
    public void onSources(java.util.function.Consumer<List<io.tributary.api.agent.StreamSource>> consumer) {
        sources = consumer;
    }

    /** Where the names in a report answer's {@code dvr_delete} go (the DVR store deletes those archives). */
    public void onDvrDelete(java.util.function.Consumer<String> deleter) {
        dvrDelete = deleter;
    }

    public ControlLoop(AgentConfig config, CaptureSupervisor supervisor, Supplier<AgentReport> reports, Clock clock) {
        this.fence = new LeaseFence(clock);
        this.config = config;
        this.supervisor = supervisor;
        this.reports = reports;
        // HTTP/1.1 keep-alive: one report a second needs no h2c upgrade, and the control plane
        // reads an HTTP/1.1 report's body on its event loop before a worker thread takes it.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
        long retryMax = Math.max(500, config.configRetryMaxMs());
        this.pollBackoff = new Backoff(Math.min(500, retryMax), retryMax);
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "control-loop");
            t.setDaemon(true);
            return t;
        });
    }

    public void start() {
        executor.execute(this::tick);
    }

    /**
     * Reports and polls now, without waiting for the next tick (the control plane poked us: a
     * stream was given to us or taken away). Pokes that arrive while one is pending merge.
     */
    public void nudge() {
        if (closed || !nudgePending.compareAndSet(false, true)) {
            return;
        }
        try {
            executor.execute(() -> {
                nudgePending.set(false);
                safeStep();
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            nudgePending.set(false);
        }
    }

    public boolean controlPlaneReachable() {
        return reachable;
    }

    /**
     * Whether this agent reaches the control plane now, as peers are told: its last report
     * completed, and recently (within three report intervals, at least 3 s).
     */
    public boolean reachesControlPlane() {
        Long age = fence.lastReportOkMsAgo();
        return reachable && age != null && age <= Math.max(3 * intervalMs, 3000);
    }

    public Long lastReportOkMsAgo() {
        return fence.lastReportOkMsAgo();
    }

    /** True while the captures are stopped because the lease ran out and a peer still reaches the control plane. */
    public boolean fenced() {
        return fence.fenced();
    }

    /** How many times the peers were asked (the lease had run out). */
    public long peerChecks() {
        return peerChecks.get();
    }

    /** Why the last config poll failed, or null when it succeeded. */
    public AgentReport.ConfigExternalError configError() {
        return configError;
    }

    public long configPollFailures() {
        return pollFailures.get();
    }

    private void tick() {
        try {
            safeStep();
        } finally {
            if (!closed) {
                executor.schedule(this::tick, intervalMs, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** One report and poll, unless closed; a failure is logged and the loop goes on. */
    private void safeStep() {
        if (closed) {
            return;
        }
        try {
            step();
        } catch (RuntimeException e) {
            logFailure("control loop step failed: " + e);
        }
    }

    private void step() {
        String wantEtag = null;
        try {
            if (config.controlPlaneUrl() != null) {
                AgentReportResponse r = report();
                reachable = true;
                failuresLogged = 0;
                if (fence.reportSucceeded(r == null ? null : r.leaseMs(), r == null ? null : r.peers())) {
                    // Back in touch: follow the control plane's current config, not the one from before.
                    LOG.log(Level.INFO, "host=" + config.hostname() + ": report completed again, lifting the fence");
                    supervisor.resume();
                    configEtag = null;
                    polledOnce = false;
                }
                if (r != null) {
                    if (r.reportIntervalMs() != null && r.reportIntervalMs() > 0) {
                        intervalMs = Math.max(100, r.reportIntervalMs());
                    }
                    if (r.stop() != null) {
                        for (String name : r.stop()) {
                            supervisor.fence(name);
                        }
                    }
                    if (r.dvrDelete() != null) {
                        r.dvrDelete().forEach(dvrDelete);
                    }
                    if (r.sources() != null) {
                        sources.accept(r.sources());
                    }
                    wantEtag = r.configEtag();
                }
            }
        } catch (Exception e) {
            reachable = false;
            logFailure("report to " + config.controlPlaneUrl() + " failed: " + e);
            checkLease();
        }
        if (config.streamsUrl() != null) {
            // The control plane's ETag only describes its own config backend.
            boolean changed = config.configExternal() == null && wantEtag != null && !wantEtag.equals(configEtag);
            // A failing backend is retried after its backoff, whatever the ETag says.
            boolean due = !polledOnce || System.nanoTime() - nextPollNanos >= 0;
            if (due || (changed && configError == null)) {
                try {
                    pollAndApply();
                } catch (RuntimeException e) {
                    logFailure("applying the config failed: " + e);
                }
            }
        }
    }

    /** Past the lease without a report: ask the peers whether they reach the control plane. */
    private void checkLease() {
        if (!fence.shouldAskPeers()) {
            return;
        }
        peerChecks.incrementAndGet();
        List<LeaseFence.PeerReach> answers = askPeers(fence.peers());
        if (fence.decide(answers)) {
            LOG.log(Level.WARNING, "host=" + config.hostname() + ": stopping every capture (fenced): "
                    + fence.fencedBecause());
            supervisor.suspend();
        }
    }

    /** Asks every peer at once, with short timeouts; a peer that does not answer counts as not reaching. */
    private List<LeaseFence.PeerReach> askPeers(List<AgentReportResponse.Peer> peers) {
        List<CompletableFuture<LeaseFence.PeerReach>> calls = new ArrayList<>();
        for (AgentReportResponse.Peer p : peers) {
            if (p.privateUrl() == null || p.hostname() == null || p.hostname().equals(config.hostname())) {
                continue;
            }
            HttpRequest req;
            try {
                req = HttpRequest.newBuilder(URI.create(stripSlash(p.privateUrl()) + "/cluster/reach"))
                        .timeout(PEER_TIMEOUT).header("Accept", "application/json").GET().build();
            } catch (IllegalArgumentException e) {
                continue;
            }
            calls.add(http.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray())
                    .thenApply(resp -> readReach(p.hostname(), resp))
                    .exceptionally(e -> LeaseFence.PeerReach.silent(p.hostname())));
        }
        List<LeaseFence.PeerReach> out = new ArrayList<>();
        for (CompletableFuture<LeaseFence.PeerReach> c : calls) {
            try {
                out.add(c.get(PEER_TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS));
            } catch (Exception e) {
                c.cancel(true);
            }
        }
        return out;
    }

    private LeaseFence.PeerReach readReach(String hostname, HttpResponse<byte[]> resp) {
        if (resp.statusCode() != 200) {
            return LeaseFence.PeerReach.silent(hostname);
        }
        try {
            var node = json.readTree(resp.body());
            var ago = node.get("last_report_ok_ms_ago");
            return new LeaseFence.PeerReach(hostname, true, node.path("control_plane_reachable").asBoolean(false),
                    ago == null || !ago.canConvertToLong() ? null : ago.asLong());
        } catch (IOException e) {
            return LeaseFence.PeerReach.silent(hostname);
        }
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    private void logFailure(String message) {
        // Once, then every 30th time: a control plane that is down must not flood the log.
        if (failuresLogged++ % 30 == 0) {
            LOG.log(Level.WARNING, "host=" + config.hostname() + ": " + message);
        }
    }

    private HttpRequest.Builder request(String url, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3))
                .header("Accept", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    /** One poll: on success the next is due after the poll interval, on failure after a growing backoff. */
    private void pollAndApply() {
        polledOnce = true;
        try {
            String refused = poll();
            pollBackoff.reset();
            nextPollNanos = System.nanoTime() + config.configPollIntervalMs() * 1_000_000L;
            pollFailuresLogged = 0;
            if (refused == null) {
                if (configError != null) {
                    LOG.log(Level.INFO, "host=" + config.hostname() + ": config backend " + config.streamsUrl()
                            + " answers well again");
                }
                configError = null;
            } else {
                setConfigError(ConfigBackendException.VALIDATION_ERROR, refused);
            }
        } catch (ConfigBackendException e) {
            pollFailures.incrementAndGet();
            setConfigError(e.reason(), e.getMessage());
            long delay = pollBackoff.nextDelayMs();
            nextPollNanos = System.nanoTime() + delay * 1_000_000L;
            if (pollFailuresLogged++ % 30 == 0) {
                LOG.log(Level.WARNING, "host=" + config.hostname() + ": config poll of " + config.streamsUrl()
                        + " failed (" + e.reason() + ": " + e.getMessage() + "), keeping the last good config; retry in "
                        + delay + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void setConfigError(String reason, String detail) {
        AgentReport.ConfigExternalError previous = configError;
        long since = previous != null && previous.reason().equals(reason) ? previous.since() : System.currentTimeMillis();
        configError = new AgentReport.ConfigExternalError(reason, detail, since);
    }

    private AgentReportResponse report() throws IOException, InterruptedException {
        String url = config.controlPlaneUrl() + "/api/v1/agents/"
                + URLEncoder.encode(config.hostname(), StandardCharsets.UTF_8);
        byte[] body = json.writeValueAsBytes(reports.get());
        HttpResponse<byte[]> resp = http.send(request(url, config.clusterKey()).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        if (resp.statusCode() / 100 != 2) {
            throw new IOException("HTTP " + resp.statusCode() + ": " + new String(resp.body(), StandardCharsets.UTF_8));
        }
        return resp.body().length == 0 ? null : json.readValue(resp.body(), AgentReportResponse.class);
    }

    /**
     * Fetches every page of the desired streams and applies them only when all pages came and
     * parsed. Streams that fail validation are refused one by one (the others run); returns a
     * description of the refused ones, or null.
     */
    private String poll() throws ConfigBackendException, InterruptedException {
        String base = config.streamsUrl();
        String first = base + (base.contains("?") ? "&" : "?") + "host="
                + URLEncoder.encode(config.hostname(), StandardCharsets.UTF_8);
        List<StreamConfig> all = new ArrayList<>();
        Map<String, String> unreadable = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        String url = first;
        String etag = null;
        int pages = 0;
        while (url != null) {
            if (++pages > MAX_PAGES) {
                throw new ConfigBackendException(ConfigBackendException.VALIDATION_ERROR,
                        "more than " + MAX_PAGES + " pages: is \"next\" ever null?");
            }
            HttpRequest.Builder b = request(url, config.configToken()).GET();
            if (pages == 1 && configEtag != null) {
                b.header("If-None-Match", configEtag);
            }
            HttpResponse<byte[]> resp;
            try {
                resp = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException | IllegalArgumentException e) {
                throw new ConfigBackendException(ConfigBackendException.NETWORK_ERROR, url + ": " + e);
            }
            if (pages == 1 && resp.statusCode() == 304) {
                return lastRefused; // the same answer as last time, with the same refused streams
            }
            if (resp.statusCode() / 100 != 2) {
                throw new ConfigBackendException(ConfigBackendException.NETWORK_ERROR,
                        url + ": HTTP " + resp.statusCode());
            }
            if (pages == 1) {
                etag = resp.headers().firstValue("ETag").orElse(null);
            }
            BackendPage page = BackendPage.parse(json, resp.body());
            all.addAll(page.streams());
            unreadable.putAll(page.unreadable());
            problems.addAll(page.nameless());
            url = nextUrl(first, page.next());
        }
        supervisor.apply(all, unreadable);
        configEtag = etag;
        unreadable.forEach((name, why) -> problems.add(name + ": " + why));
        for (StreamConfig c : all) {
            String why = CaptureSupervisor.refusal(c);
            if (why != null && !c.disabledOrDefault()) {
                problems.add(c.name() + ": " + why);
            }
        }
        if (problems.isEmpty()) {
            lastRefused = null;
        } else {
            String detail = problems.size() + " stream(s) refused: " + String.join("; ", problems);
            lastRefused = detail.length() > 1000 ? detail.substring(0, 1000) + "..." : detail;
        }
        return lastRefused;
    }

    static String nextUrl(String first, String next) {
        if (next == null || next.isBlank()) {
            return null;
        }
        if (next.startsWith("http://") || next.startsWith("https://")) {
            return next;
        }
        return first + "&cursor=" + URLEncoder.encode(next, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        closed = true;
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
