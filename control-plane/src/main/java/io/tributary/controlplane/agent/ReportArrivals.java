package io.tributary.controlplane.agent;

import io.tributary.controlplane.auth.Secrets;
import io.tributary.controlplane.auth.TokenService;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each agent's latest report reached this replica (and when its answer left), noted on the
 * event loop as its request arrives, before it waits for a worker thread: failure detection counts a report that arrived
 * as a sign of life even while it is still queued, so a control plane slow to answer (at 1,000
 * agents on two cores, reports waited seconds for a thread) does not mark its agents down for
 * its own delay, nor while one of its reports is still being answered. Only reports with the
 * cluster key count; a report is still answered (and its
 * last_seen_at written) by {@link AgentResource}.
 */
@ApplicationScoped
public class ReportArrivals {
    private static final String PREFIX = "/api/v1/agents/";
    private static final String BEARER = "Bearer ";

    private final TokenService tokens;
    private final Clock clock;
    private final Map<String, Long> arrived = new ConcurrentHashMap<>();
    /** Reports of each host arrived and not yet answered (an agent sends one at a time). */
    private final Map<String, java.util.concurrent.atomic.AtomicInteger> inFlight = new ConcurrentHashMap<>();

    public ReportArrivals(TokenService tokens, Clock clock) {
        this.tokens = tokens;
        this.clock = clock;
    }

    void register(@Observes Router router) {
        // Before every other route: it only notes the time and passes the request on.
        router.route(HttpMethod.PUT, PREFIX + "*").order(-1_000_000).handler(this::note);
        // Then the whole body is read here, on the event loop, before the report waits for a
        // worker thread: the resource reads a body that is already there (RESTEasy Reactive
        // takes the routing context's body) instead of blocking its worker thread until the
        // event loop delivers the bytes. At 1,000 agents the workers spent most of their time
        // there (JFR: 60,000 waits of 20 ms or more in VertxBlockingInput.readBlocking in two
        // minutes), and the pool's 200 threads starved the event loops that were to feed them.
        // HTTP/1.x only: on an HTTP/2 stream RESTEasy pauses the request, which throws once the
        // body handler has read it to its end ("Request has already been read"); the agent
        // reports over HTTP/1.1 (ControlLoop), an h2c client is read the old way.
        BodyHandler body = BodyHandler.create(false).setBodyLimit(MAX_REPORT_BYTES);
        router.route(HttpMethod.PUT, PREFIX + "*").order(-999_999).handler(ctx -> {
            if (ctx.request().version() == HttpVersion.HTTP_2) {
                ctx.next();
            } else {
                body.handle(ctx);
            }
        });
    }

    /** The largest report body accepted (413 above it), Quarkus's own default request body limit. */
    static final long MAX_REPORT_BYTES = 10L * 1024 * 1024;

    private void note(RoutingContext ctx) {
        String path = ctx.request().path();
        String host = path.substring(PREFIX.length());
        String auth = ctx.request().getHeader("Authorization");
        if (!host.isEmpty() && host.indexOf('/') < 0 && host.length() <= 253 && auth != null && auth.startsWith(BEARER)
                && Secrets.constantTimeEquals(auth.substring(BEARER.length()), tokens.clusterKey())) {
            arrived.put(host, clock.millis());
            java.util.concurrent.atomic.AtomicInteger n = inFlight.computeIfAbsent(host,
                    h -> new java.util.concurrent.atomic.AtomicInteger());
            n.incrementAndGet();
            // Answered, failed or the connection closed: each ends the request once. The end
            // counts as life too: an agent sends one report at a time, so its next one cannot
            // come before this answer, and silence is counted from here; a control plane that
            // took 3 s to answer marked its agents down in the gap before their next report.
            ctx.addEndHandler(v -> {
                arrived.merge(host, clock.millis(), Math::max);
                n.decrementAndGet();
            });
        }
        ctx.next();
    }

    /**
     * Whether the host shows life on this replica since {@code sinceMs}: a report of it arrived
     * or was answered since then, or one is being answered now (a report that waits longer than the silence
     * bound for a thread or the database is the control plane's delay, not the agent's).
     */
    public boolean aliveSince(String hostname, long sinceMs) {
        Long a = arrived.get(hostname);
        java.util.concurrent.atomic.AtomicInteger n = inFlight.get(hostname);
        return a != null && a >= sinceMs || n != null && n.get() > 0;
    }
}
