package io.tributary.agent.edge;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.tributary.agent.hls.HlsOutput;
import io.tributary.agent.ingest.Capture;
import io.tributary.agent.ingest.CaptureSupervisor;
import io.tributary.agent.ingest.InputOpener;
import io.tributary.agent.ingest.StreamOutput;
import io.tributary.api.agent.StreamReport;
import io.tributary.api.agent.StreamSource;
import io.tributary.api.stream.InputConfig;
import io.tributary.api.stream.StreamConfig;

/**
 * Restreaming: serves streams this agent does not capture by pulling them from the server that
 * does. The first request starts one pull per stream ({@code <source private URL>/<name>/mpegts})
 * into a local capture with its own HLS and live MPEG-TS (the same copy pipeline as any capture);
 * every viewer of the stream on this agent shares it. A pull whose source goes quiet asks the
 * control plane again and follows the stream to its new server (the edge's playlist continues with
 * a discontinuity); a pull stops clients_timeout after its last viewer. All state changes happen on
 * one thread.
 */
public final class EdgeStreams implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EdgeStreams.class.getName());
    /** How long a first request waits for the pull's first segment before it gets 503 (players time out near 10 s). */
    public static final long WAIT_MS = 8_000;
    /** Query parameter on pulls and forwarded pushes between servers: the receiver never restreams those. */
    public static final String PULL_PARAM = "tributary_pull";
    static final int PULL_SOURCE_TIMEOUT_S = 3;
    /** No packet from the source for this long: ask the control plane where the stream is now. */
    static final long QUIET_MS = 1_500;
    static final long START_GRACE_MS = 5_000;
    /** The same source quiet this long: recreate the pull (its retry backoff starts over). */
    static final long STUCK_MS = 8_000;
    static final long LOOKUP_EVERY_MS = 300;
    static final long TICK_MS = 100;

    /** What a request needs before it can be served: a first segment (HLS) or a running pull (live MPEG-TS). */
    public enum Want { PLAYLIST, LIVE }

    /**
     * What a request for a stream not captured here gets: an output to serve from, a base URL to
     * redirect to, a URL to forward a push to, or an error status with a message.
     */
    public record Access(StreamOutput output, String redirectBase, String forwardUrl, int status, String message) {
        static Access serve(StreamOutput o) {
            return new Access(o, null, null, 200, null);
        }

        static Access error(int status, String message) {
            return new Access(null, null, null, status, message);
        }
    }

    private record Waiter(Want want, long deadlineMs, CompletableFuture<Access> done) {
    }

    private final class Pull {
        final String name;
        final IdleTimer idle;
        final List<Waiter> waiters = new ArrayList<>();
        volatile StreamOutput out;
        volatile Capture capture;
        volatile String lastError;
        /** Requests waiting for the first segment: viewers too (they keep an on-demand stream wanted). */
        volatile int waiting;
        StreamSource source;
        long captureStartedMs;
        long lastLookupMs = Long.MIN_VALUE / 2;
        long quietSinceMs = -1;
        boolean lookupInFlight;
        /** A pull started from a cached placement is checked by one lookup (which also records demand). */
        boolean verified = true;
        /** Cold start timings, for the log line of the first segment (ms since the first request, -1: not yet). */
        final long firstRequestMs;
        long lookupAnsweredMs = -1;
        long pullStartedMs = -1;
        long firstPacketMs = -1;
        boolean firstSegmentLogged;
        /** A transcoded stream: this pull holds only the source's master playlist (its rungs are pulls of their own). */
        volatile boolean masterReady;
        boolean masterFetchInFlight;

        Pull(String name, long now) {
            this.name = name;
            this.idle = new IdleTimer(StreamConfig.DEFAULT_CLIENTS_TIMEOUT * 1000L, now);
            this.firstRequestMs = now;
        }
    }

    private final String hostname;
    private final Path root;
    private final Clock clock;
    private final AtomicLong bytesSent;
    private final SourceDirectory directory;
    private final CaptureSupervisor supervisor;
    private final InputOpener opener = new InputOpener(null);
    private final ScheduledExecutorService executor;
    private final Map<String, Pull> pulls = new ConcurrentHashMap<>();
    /** Streams the control plane just said do not exist: answered 404 without asking again (1 s). */
    private final Map<String, Long> unknown = new HashMap<>();

    public EdgeStreams(String controlPlaneUrl, String hostname, String clusterKey, Path root, Clock clock,
            AtomicLong bytesSent, CaptureSupervisor supervisor) {
        this(new SourceDirectory(controlPlaneUrl, hostname, clusterKey), hostname, root, clock, bytesSent, supervisor);
    }

    EdgeStreams(SourceDirectory directory, String hostname, Path root, Clock clock, AtomicLong bytesSent,
            CaptureSupervisor supervisor) {
        this.directory = directory;
        this.hostname = hostname;
        this.root = root;
        this.clock = clock;
        this.bytesSent = bytesSent;
        this.supervisor = supervisor;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "edge");
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
    }

    /** Serves a viewer's request for a stream not captured here: completes when it can be served or must fail. */
    public CompletableFuture<Access> access(String name, Want want) {
        long now = clock.millis();
        Pull p = pulls.get(name);
        if (p != null && satisfied(p, want)) {
            p.idle.touch(now);
            return CompletableFuture.completedFuture(Access.serve(p.out));
        }
        CompletableFuture<Access> f = new CompletableFuture<>();
        executor.execute(() -> enqueue(name, want, f));
        return f;
    }

    /**
     * Where a push (HTTP PUT/POST of MPEG-TS) for a stream not captured here goes: the capturing
     * server's {@code /{name}/mpegts}, or the local capture when it started meanwhile.
     */
    public CompletableFuture<Access> pushTarget(String name) {
        StreamOutput local = supervisor.output(name);
        if (local != null) {
            return CompletableFuture.completedFuture(Access.serve(local));
        }
        return directory.lookup(name).thenApply(l -> {
            if (l.notFound()) {
                return Access.error(404, "stream " + name + " does not exist\n");
            }
            if (l.error() != null) {
                return Access.error(503, l.error() + "\n");
            }
            StreamSource s = l.source();
            StreamOutput now = supervisor.output(name);
            if (now != null) {
                return Access.serve(now);
            }
            if (s.hostname() == null || s.privateUrl() == null || s.hostname().equals(hostname)) {
                return Access.error(503, "stream " + name + " is not captured yet"
                        + (s.reason() == null ? "" : ": " + s.reason()) + "; retry\n");
            }
            return new Access(null, null, stripSlash(s.privateUrl()) + "/" + name + "/mpegts?" + PULL_PARAM + "=1",
                    200, null);
        });
    }

    private static boolean satisfied(Pull p, Want want) {
        StreamOutput o = p.out;
        if (p.masterReady) {
            return want == Want.PLAYLIST;
        }
        if (o == null || p.capture == null) {
            return false;
        }
        return want == Want.LIVE || o.hls().hasSegment();
    }

    private void enqueue(String name, Want want, CompletableFuture<Access> f) {
        long now = clock.millis();
        StreamOutput local = supervisor.output(name);
        if (local != null) {
            f.complete(Access.serve(local));
            return;
        }
        Long until = unknown.get(name);
        if (until != null && until > now) {
            f.complete(Access.error(404, "stream " + name + " does not exist\n"));
            return;
        }
        Pull p = pulls.get(name);
        if (p == null) {
            p = new Pull(name, now);
            pulls.put(name, p);
            StreamSource known = directory.cached(name, now);
            if (known != null && known.pullable() && known.config() != null && known.config().transcoder() == null
                    && !known.hostname().equals(hostname)) {
                LOG.log(Level.INFO, "stream=" + name + " host=" + hostname + ": first viewer, pulling from "
                        + known.hostname() + " as last learnt (a lookup checks it)");
                p.idle.timeoutMs(known.config().clientsTimeoutOrDefault() * 1000L);
                p.verified = false;
                pull(p, known, now);
            } else {
                LOG.log(Level.INFO, "stream=" + name + " host=" + hostname + ": first viewer, looking up its source");
            }
        }
        p.idle.touch(now);
        if (p.masterReady && want == Want.LIVE && p.source != null && p.source.publicUrl() != null) {
            f.complete(new Access(null, stripSlash(p.source.publicUrl()), null, 302, null));
            return;
        }
        p.waiters.add(new Waiter(want, now + WAIT_MS, f));
        p.waiting = p.waiters.size();
        step(p, now);
    }

    private void tick() {
        try {
            long now = clock.millis();
            unknown.values().removeIf(until -> until <= now);
            directory.expire(now);
            for (Pull p : List.copyOf(pulls.values())) {
                step(p, now);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "host=" + hostname + ": edge tick failed: " + e);
        }
    }

    private void step(Pull p, long now) {
        if (pulls.get(p.name) != p) {
            return;
        }
        StreamOutput local = supervisor.output(p.name);
        if (local != null && p.capture == null) {
            // The stream was placed on this very server (on demand): serve the local capture.
            complete(p, Access.serve(local));
            stop(p, "captured here now");
            return;
        }
        for (Iterator<Waiter> it = p.waiters.iterator(); it.hasNext();) {
            Waiter w = it.next();
            if (satisfied(p, w.want())) {
                // The viewer is served now: its clients_timeout counts from here, not from its first request.
                p.idle.touch(now);
                w.done().complete(Access.serve(p.out));
                it.remove();
            } else if (now >= w.deadlineMs()) {
                String why = p.lastError != null ? p.lastError : p.capture != null ? p.capture.lastError() : null;
                w.done().complete(Access.error(503, "stream " + p.name + ": no segment within " + WAIT_MS / 1000
                        + " s" + (why == null ? "" : " (" + why + ")") + "\n"));
                it.remove();
            }
        }
        p.waiting = p.waiters.size();
        noteProgress(p, now);
        if (p.waiters.isEmpty() && p.idle.expired(now, p.out == null ? 0 : p.out.fanout().clientCount())) {
            stop(p, "no viewer for " + p.idle.timeoutMs() / 1000 + " s");
            return;
        }
        boolean quiet = quiet(p, now);
        if (!quiet) {
            p.quietSinceMs = -1;
        } else if (p.quietSinceMs < 0) {
            p.quietSinceMs = now;
        }
        if ((quiet || !p.verified) && !p.lookupInFlight && now - p.lastLookupMs >= LOOKUP_EVERY_MS) {
            p.lookupInFlight = true;
            p.lastLookupMs = now;
            directory.lookup(p.name).whenComplete((l, e) -> executor.execute(() ->
                    onLookup(p, l != null ? l : new SourceDirectory.Lookup(null, false, String.valueOf(e)))));
        }
    }

    /** No pull yet, or the pull has had no packet for a while. */
    private boolean quiet(Pull p, long now) {
        if (p.masterReady) {
            return false;
        }
        Capture c = p.capture;
        if (c == null) {
            return true;
        }
        Long age = c.report().lastFrameAge();
        if (age == null) {
            return now - p.captureStartedMs >= START_GRACE_MS;
        }
        return age >= QUIET_MS;
    }

    private void onLookup(Pull p, SourceDirectory.Lookup l) {
        p.lookupInFlight = false;
        if (pulls.get(p.name) != p) {
            return;
        }
        long now = clock.millis();
        if (p.lookupAnsweredMs < 0) {
            p.lookupAnsweredMs = now - p.firstRequestMs;
        }
        if (l.error() == null) {
            p.verified = true;
        }
        if (l.notFound()) {
            directory.forget(p.name);
            unknown.put(p.name, now + 1000);
            complete(p, Access.error(404, "stream " + p.name + " does not exist\n"));
            stop(p, "the stream does not exist");
            return;
        }
        if (l.error() != null) {
            p.lastError = l.error();
            return;
        }
        StreamSource s = l.source();
        directory.remember(s, now);
        StreamConfig c = s.config();
        if (c != null) {
            p.idle.timeoutMs(c.clientsTimeoutOrDefault() * 1000L);
        }
        if (s.hostname() == null) {
            p.lastError = "waiting for the stream to be placed: " + s.reason();
            return;
        }
        if (s.hostname().equals(hostname)) {
            p.lastError = "waiting for the capture on this server to start";
            return; // step() serves the local capture once it runs
        }
        if (c != null && c.transcoder() != null) {
            transcoded(p, s);
            return;
        }
        if (!s.pullable()) {
            p.lastError = "source " + s.hostname() + " has no segment yet"
                    + (s.reason() == null ? "" : " (" + s.reason() + ")");
            // An on-demand stream just placed: pull at once, the source holds the pull until its
            // capture runs and streams from its first packets (no wait for its first segment and
            // report). A moved stream keeps being pulled from where it is until the new owner is ready.
            if (p.capture == null && s.reason() == null && c != null && !c.staticOrDefault()) {
                pull(p, s, now);
            }
            return;
        }
        // Generations grow on every move: an answer older than the source pulled now (a report answer
        // may have told of the move first) is not a move back.
        boolean older = p.source != null && s.generation() != null && p.source.generation() != null
                && s.generation() < p.source.generation();
        boolean moved = p.source == null || (!older && (!s.hostname().equals(p.source.hostname())
                || !Objects.equals(s.generation(), p.source.generation())));
        boolean stuck = p.quietSinceMs >= 0 && now - p.quietSinceMs >= STUCK_MS;
        if (p.capture == null || moved || stuck) {
            pull(p, s, now);
        }
    }

    /**
     * A transcoded stream: this pull serves the source's master playlist, copied once; its variant
     * URIs ({@code v1/index.m3u8}, ...) come back here as pulls of their own ({@code <name>/v1},
     * which the control plane resolves to the rung's {@code /mpegts} on the transcoding server).
     * The stream's own live MPEG-TS (every rung in one TS) is still a redirect to that server.
     */
    private void transcoded(Pull p, StreamSource s) {
        p.source = s;
        for (Iterator<Waiter> it = p.waiters.iterator(); it.hasNext();) {
            Waiter w = it.next();
            if (w.want() == Want.LIVE && s.publicUrl() != null) {
                w.done().complete(new Access(null, stripSlash(s.publicUrl()), null, 302, null));
                it.remove();
            }
        }
        p.waiting = p.waiters.size();
        if (!s.pullable() || p.masterFetchInFlight || p.masterReady) {
            p.lastError = s.pullable() ? null : "source " + s.hostname() + " has no segment yet";
            return;
        }
        p.masterFetchInFlight = true;
        String url = stripSlash(s.privateUrl()) + "/" + p.name + "/index.m3u8?" + PULL_PARAM + "=1";
        directory.fetchText(url).whenComplete((text, e) -> executor.execute(() -> {
            p.masterFetchInFlight = false;
            if (pulls.get(p.name) != p) {
                return;
            }
            if (text == null || !text.startsWith("#EXTM3U") || !text.contains("#EXT-X-STREAM-INF")) {
                p.lastError = "source " + s.hostname() + " has no master playlist yet (" + url + ")";
                return;
            }
            StreamConfig c = s.config();
            if (p.out == null) {
                p.out = new StreamOutput(p.name, new HlsOutput(root.resolve(p.name.replace('/', '~')),
                        c.segmentCountOrDefault(), c.segmentDurationOrDefault(), 0, 0, clock), bytesSent, clock);
            }
            try {
                java.nio.file.Files.createDirectories(p.out.hls().directory());
                io.tributary.agent.hls.PlaylistWriter.writeAtomically(p.out.hls().directory().resolve(HlsOutput.PLAYLIST),
                        text);
            } catch (java.io.IOException ex) {
                p.lastError = "cannot write the master playlist: " + ex.getMessage();
                return;
            }
            p.lastError = null;
            p.masterReady = true;
            LOG.log(Level.INFO, "stream=" + p.name + " gen=" + s.generation() + " host=" + hostname
                    + ": transcoded on " + s.hostname() + "; serving its master playlist, rungs pulled on request");
            step(p, clock.millis());
        }));
    }

    /** Starts (or moves) the pull of {@code p} to source {@code s}; the output and its playlist are kept. */
    private void pull(Pull p, StreamSource s, long now) {
        StreamConfig c = s.config() == null ? new StreamConfig(p.name, null, List.of(), true, null, null, null, null,
                null, null, null, null, null, null) : s.config();
        String url = stripSlash(s.privateUrl()) + "/" + p.name + "/mpegts?" + PULL_PARAM + "=1";
        StreamConfig pullConfig = new StreamConfig(p.name, null, List.of(new InputConfig(url, 1, PULL_SOURCE_TIMEOUT_S)),
                true, c.clientsTimeout(), false, null, null, null, c.segmentDuration(), c.segmentCount(), null, null,
                null);
        Capture old = p.capture;
        if (old != null) {
            old.stop();
        }
        if (p.out == null) {
            p.out = new StreamOutput(p.name, new HlsOutput(root.resolve(p.name.replace('/', '~')),
                    c.segmentCountOrDefault(), c.segmentDurationOrDefault(), 0, 0, clock), bytesSent, clock);
        }
        Capture cap = new Capture(pullConfig, s.generation() == null ? 0 : s.generation(), hostname, p.out, opener);
        LOG.log(Level.INFO, "stream=" + p.name + " gen=" + s.generation() + " host=" + hostname + ": "
                + (old == null ? "pulling" : "switching the pull") + " from " + s.hostname() + " (" + url + ")");
        p.source = s;
        if (p.pullStartedMs < 0) {
            p.pullStartedMs = now - p.firstRequestMs;
        }
        p.captureStartedMs = now;
        p.quietSinceMs = -1;
        p.lastError = null;
        p.capture = cap;
        cap.start();
    }

    /**
     * The report answer's {@code sources}: where the streams this agent pulls are captured now. A
     * pull whose stream moved (a newer generation, ready on its new server) follows it at once,
     * without waiting for its source to go quiet.
     */
    public void placements(List<StreamSource> sources) {
        try {
            executor.execute(() -> {
                long now = clock.millis();
                for (StreamSource s : sources) {
                    directory.remember(s, now);
                    Pull p = s.name() == null ? null : pulls.get(s.name());
                    if (p == null || p.capture == null || p.source == null || s.hostname() == null
                            || s.hostname().equals(hostname) || !s.pullable() || s.generation() == null
                            || p.source.generation() == null || s.generation() <= p.source.generation()) {
                        continue;
                    }
                    LOG.log(Level.INFO, "stream=" + p.name + " gen=" + s.generation() + " host=" + hostname
                            + ": the control plane says it moved from " + p.source.hostname() + " to " + s.hostname());
                    pull(p, s.config() != null ? s : new StreamSource(s.name(), s.hostname(), s.privateUrl(),
                            s.publicUrl(), s.generation(), s.ready(), s.reason(), p.source.config()), now);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing
        }
    }

    /** Notes the first packet and the first segment of a pull, and logs where its cold start went. */
    private void noteProgress(Pull p, long now) {
        Capture c = p.capture;
        if (p.firstSegmentLogged || c == null) {
            return;
        }
        if (p.firstPacketMs < 0 && c.report().lastFrameAge() != null) {
            p.firstPacketMs = now - p.firstRequestMs;
        }
        if (p.out != null && p.out.hls().hasSegment()) {
            p.firstSegmentLogged = true;
            LOG.log(Level.INFO, "stream=" + p.name + " host=" + hostname + ": first segment " + (now - p.firstRequestMs)
                    + " ms after the first request (lookup answered at " + p.lookupAnsweredMs + " ms, pull started at "
                    + p.pullStartedMs + " ms, first packet by " + p.firstPacketMs + " ms)");
        }
    }

    private static void complete(Pull p, Access a) {
        p.waiters.forEach(w -> w.done().complete(a));
        p.waiters.clear();
        p.waiting = 0;
    }

    private void stop(Pull p, String why) {
        if (!pulls.remove(p.name, p)) {
            return;
        }
        complete(p, Access.error(404, "stream " + p.name + " is not served here\n"));
        Capture c = p.capture;
        StreamOutput o = p.out;
        LOG.log(Level.INFO, "stream=" + p.name + " host=" + hostname + ": pull stopped: " + why);
        if (c == null && o == null) {
            return;
        }
        // Joining a capture thread can take a moment: never on the edge thread.
        Thread t = new Thread(() -> {
            if (c != null) {
                c.stop();
            }
            if (o != null) {
                o.close();
            }
        }, "edge-stop-" + p.name);
        t.setDaemon(true);
        t.start();
    }

    /** The pulls, as reported to the control plane ({@code pulls}) with a null generation: not captures. */
    public List<StreamReport> reports() {
        List<StreamReport> out = new ArrayList<>();
        for (Pull p : pulls.values()) {
            Capture c = p.capture;
            StreamOutput o = p.out;
            int clients = (o == null ? 0 : o.onlineClients()) + p.waiting;
            if (c == null) {
                out.add(new StreamReport(p.name, null, p.masterReady ? "running" : "starting", null, null, null, null, null, p.lastError, clients,
                        null, null, null, false));
                continue;
            }
            StreamReport r = c.report();
            out.add(new StreamReport(p.name, null, r.status(), r.bitrateIn(), r.bitrateOut(), r.lifetime(),
                    r.lastFrameAge(), r.mediaInfo(), r.lastError() != null ? r.lastError() : p.lastError, clients,
                    r.mediaSequence(), r.discontinuitySequence(), r.activeInput(), r.hasSegment()));
        }
        return out;
    }

    /** Number of streams pulled now. */
    public int size() {
        return pulls.size();
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Pull p : pulls.values()) {
            Capture c = p.capture;
            if (c != null) {
                c.stop();
            }
            if (p.out != null) {
                p.out.close();
            }
        }
        pulls.clear();
    }
}
