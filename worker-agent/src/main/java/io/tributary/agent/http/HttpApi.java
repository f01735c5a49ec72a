package io.tributary.agent.http;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.tributary.agent.edge.EdgeStreams;
import io.tributary.agent.edge.PushForwarder;
import io.tributary.agent.hls.HlsOutput;
import io.tributary.agent.ingest.Capture;
import io.tributary.agent.ingest.CaptureSupervisor;
import io.tributary.agent.ingest.PublishPipe;
import io.tributary.agent.ingest.StreamOutput;
import io.tributary.agent.ingest.TsFanout;
import io.tributary.agent.transcode.RungOutput;
import io.tributary.api.stream.StreamValidation;
import io.tributary.agent.viewer.HlsSessions;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The agent's HTTP surface: /{name}/index.m3u8, segments, /{name}/mpegts (GET live, PUT/POST
 * publish), /health and /metrics. Names may contain '/': the last path component is the
 * resource, the rest is the stream name. Only streams this agent runs are served, only files it
 * wrote, and nothing is read from disk by a path the client made up.
 */
public final class HttpApi {
    /** Query parameter marking a request the agent already redirected once. */
    static final String HOP = "tributary_peer_hop";
    /** A rung of a transcoded stream: {@code /{name}/v1/index.m3u8}, {@code /{name}/v1/seg-N.ts}. */
    private static final Pattern RUNG = Pattern.compile("(.+)/(v[1-9])");
    /** The live picture of a stream: {@code /{name}/preview.jpg}. */
    static final String PREVIEW = "preview.jpg";

    private final Vertx vertx;
    private final CaptureSupervisor supervisor;
    private final Supplier<String> health;
    private final Supplier<String> metrics;
    private final Supplier<String> reach;
    /** Balancer base URL for peering redirect mode, or null (unknown streams get 404). */
    private final String redirectBase;
    private final AtomicLong bytesSent;
    private volatile io.tributary.agent.dvr.DvrHttp dvr;
    /** Takes a poke's Authorization header; true when it was accepted. */
    private volatile java.util.function.Predicate<String> poke = auth -> false;
    /** Restreaming of streams captured elsewhere, or null (peering none or redirect). */
    private final EdgeStreams edge;
    private final PushForwarder forwarder;
    private final LivePreview previews;

    public HttpApi(Vertx vertx, CaptureSupervisor supervisor, Supplier<String> health, Supplier<String> metrics,
            Supplier<String> reach, AtomicLong bytesSent, String redirectBase) {
        this(vertx, supervisor, health, metrics, reach, bytesSent, redirectBase, null);
    }

    public HttpApi(Vertx vertx, CaptureSupervisor supervisor, Supplier<String> health, Supplier<String> metrics,
            Supplier<String> reach, AtomicLong bytesSent, String redirectBase, EdgeStreams edge) {
        this.edge = edge;
        this.forwarder = edge == null ? null : new PushForwarder(vertx);
        this.previews = new LivePreview(vertx);
        this.reach = reach;
        this.redirectBase = redirectBase;
        this.vertx = vertx;
        this.supervisor = supervisor;
        this.health = health;
        this.metrics = metrics;
        this.bytesSent = bytesSent;
    }

    /** Serves the DVR URLs of any stream (archive playlists, MP4, status, thumbnails) through {@code d}. */
    public HttpApi dvr(io.tributary.agent.dvr.DvrHttp d) {
        dvr = d;
        return this;
    }

    public Router router() {
        Router r = Router.router(vertx);
        // Players on other origins (the admin UI, hls.js pages) read every answer, errors included.
        r.route().handler(ctx -> {
            ctx.response().putHeader("Access-Control-Allow-Origin", "*")
                    .putHeader("Access-Control-Expose-Headers", "Content-Length, Content-Type");
            if (ctx.request().method() == HttpMethod.OPTIONS) {
                ctx.response().setStatusCode(204).putHeader("Access-Control-Allow-Methods", "GET, HEAD, PUT, POST, OPTIONS")
                        .putHeader("Access-Control-Allow-Headers",
                                ctx.request().getHeader("Access-Control-Request-Headers") == null ? "*"
                                        : ctx.request().getHeader("Access-Control-Request-Headers"))
                        .putHeader("Access-Control-Max-Age", "86400").end();
                return;
            }
            ctx.next();
        });
        r.get("/health").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-cache").end(health.get()));
        r.get("/metrics").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .putHeader("Cache-Control", "no-cache").end(metrics.get()));
        r.get("/cluster/reach").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-cache").end(reach.get()));
        r.post("/cluster/poke").handler(ctx -> ctx.response().setStatusCode(
                poke.test(ctx.request().getHeader("Authorization")) ? 204 : 401).end());
        r.route().handler(this::media);
        return r;
    }

    /** What {@code POST /cluster/poke} does (the control plane asks for a report and a config poll now). */
    public HttpApi onPoke(java.util.function.Predicate<String> handler) {
        this.poke = handler;
        return this;
    }

    private void media(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        String path = req.path();
        // Stream names use only unreserved characters: anything encoded (%2F, %2E) or a dot
        // segment is not a stream of ours.
        if (path == null || !path.startsWith("/") || path.indexOf('%') >= 0 || path.indexOf('\\') >= 0) {
            notFound(ctx);
            return;
        }
        int last = path.lastIndexOf('/');
        if (last <= 1) {
            notFound(ctx);
            return;
        }
        String name = path.substring(1, last);
        String file = path.substring(last + 1);
        if (StreamValidation.checkName(name) != null) {
            notFound(ctx);
            return;
        }
        io.tributary.agent.dvr.DvrHttp archive = dvr;
        if (archive != null && io.tributary.agent.dvr.DvrHttp.handles(file)) {
            archive.handle(ctx, name, file); // any stream, running here or not
            return;
        }
        StreamOutput out = supervisor.output(name);
        RungOutput rung = null;
        if (out == null) {
            Matcher rm = RUNG.matcher(name);
            StreamOutput parent = rm.matches() ? supervisor.output(rm.group(1)) : null;
            rung = parent == null ? null : parent.rung(rm.group(2));
            out = rung == null ? null : parent;
        }
        if (out == null) {
            if (!restream(ctx, name, file) && !awaitPulledCapture(ctx, name, file)
                    && !redirectToBalancer(ctx, name, file)) {
                notFound(ctx);
            }
            return;
        }
        serve(ctx, name, file, out, rung);
    }

    /** How long a peer's pull of a stream this agent was just given waits for its capture to start. */
    static final long PULL_WAIT_MS = 3_000;

    /**
     * A peer's pull ({@code GET /{name}/mpegts?tributary_pull=1}) of a stream whose capture does
     * not run here yet waits for it up to {@link #PULL_WAIT_MS} (an edge starts pulling an
     * on-demand stream as soon as the control plane placed it here, before its first segment),
     * then gets the live bytes from the start, or 404.
     */
    private boolean awaitPulledCapture(RoutingContext ctx, String name, String file) {
        HttpServerRequest req = ctx.request();
        if (!file.equals("mpegts") || req.method() != HttpMethod.GET || !hasParam(req.query(), EdgeStreams.PULL_PARAM)) {
            return false;
        }
        long until = System.nanoTime() + PULL_WAIT_MS * 1_000_000L;
        vertx.setPeriodic(50, id -> {
            StreamOutput out = supervisor.output(name);
            if (out != null || System.nanoTime() > until || ctx.response().closed()) {
                vertx.cancelTimer(id);
                if (out != null && !ctx.response().closed()) {
                    serve(ctx, name, file, out, null);
                } else {
                    notFound(ctx);
                }
            }
        });
        return true;
    }

    /** Serves one media request of a stream from its output (a local capture or an edge pull). */
    private void serve(RoutingContext ctx, String name, String file, StreamOutput out, RungOutput rung) {
        HttpServerRequest req = ctx.request();
        HttpMethod m = req.method();
        if (file.equals("mpegts")) {
            String tracks = req.getParam("filter.tracks");
            if (rung == null && tracks != null) {
                rung = out.rung(tracks);
                if (rung == null) {
                    notFound(ctx);
                    return;
                }
            }
            if (m == HttpMethod.GET) {
                live(ctx, rung != null ? rung.fanout() : out.fanout());
            } else if (rung == null && (m == HttpMethod.PUT || m == HttpMethod.POST)) {
                publish(ctx, name, out);
            } else {
                ctx.response().setStatusCode(405).putHeader("Allow", "GET, PUT, POST").end();
            }
            return;
        }
        if (file.equals(PREVIEW) && (m == HttpMethod.GET || m == HttpMethod.HEAD)) {
            // A transcoded stream's own output is its master playlist: its picture is rung 1's.
            preview(ctx, name, rung != null ? rung.hls()
                    : out.hls().newestSegment() == null && !out.rungs().isEmpty() ? out.rungs().get(0).hls() : out.hls());
            return;
        }
        if ((m != HttpMethod.GET && m != HttpMethod.HEAD) || !HlsOutput.isServedFile(file)) {
            notFound(ctx);
            return;
        }
        Path f = (rung != null ? rung.hls().directory() : out.hls().directory()).resolve(file);
        boolean playlist = file.equals(HlsOutput.PLAYLIST);
        StreamOutput viewed = out;
        HttpServerResponse resp = ctx.response()
                .putHeader("Content-Type", playlist ? "application/vnd.apple.mpegurl" : "video/mp2t")
                .putHeader("Cache-Control", playlist ? "no-cache" : "public, max-age=60")
                .putHeader("Access-Control-Allow-Origin", "*");
        vertx.fileSystem().props(f.toString()).onComplete(ar -> {
            if (ar.failed() || !ar.result().isRegularFile()) {
                notFound(ctx);
                return;
            }
            long size = ar.result().size();
            if (m == HttpMethod.GET) {
                countViewer(req, resp, viewed, playlist);
            }
            if (m == HttpMethod.HEAD) {
                resp.putHeader("Content-Length", Long.toString(size)).end();
                return;
            }
            resp.sendFile(f.toString()).onComplete(done -> {
                if (done.succeeded()) {
                    bytesSent.addAndGet(size);
                } else if (!resp.headWritten()) {
                    notFound(ctx);
                }
            });
        });
    }

    private void preview(RoutingContext ctx, String name, HlsOutput hls) {
        Path newest = hls.newestSegment();
        HttpServerResponse resp = ctx.response().putHeader("Access-Control-Allow-Origin", "*");
        if (newest == null) {
            resp.setStatusCode(503).putHeader("Retry-After", "2").putHeader("Content-Type", "text/plain")
                    .end("stream " + name + " has no segment yet\n");
            return;
        }
        previews.of(name + "/" + hls.directory(), newest).onComplete(ar -> {
            if (ar.failed()) {
                // The segment left the disk between the listing and the decode, or it holds no picture.
                resp.setStatusCode(503).putHeader("Retry-After", "1").putHeader("Content-Type", "text/plain")
                        .end("no picture in the newest segment of " + name + " yet: " + ar.cause().getMessage() + "\n");
                return;
            }
            resp.putHeader("Content-Type", "image/jpeg").putHeader("Cache-Control", "no-cache");
            if (ctx.request().method() == HttpMethod.HEAD) {
                resp.putHeader("Content-Length", Integer.toString(ar.result().length())).end();
            } else {
                resp.end(ar.result());
            }
        });
    }

    /** One HLS request of a viewer: counts its session and, for a client known only by address, sets the cookie. */
    private static void countViewer(HttpServerRequest req, HttpServerResponse resp, StreamOutput out, boolean playlist) {
        Cookie c = req.getCookie(HlsSessions.COOKIE);
        String address = req.remoteAddress() == null ? "" : req.remoteAddress().host();
        String setCookie = out.hlsSessions().touch(req.getParam("session"), c == null ? null : c.getValue(), address,
                req.getHeader("User-Agent"));
        if (setCookie != null && playlist) {
            resp.addCookie(Cookie.cookie(HlsSessions.COOKIE, setCookie).setPath("/").setMaxAge(86_400)
                    .setHttpOnly(true).setSameSite(CookieSameSite.LAX));
        }
    }

    private void live(RoutingContext ctx, TsFanout fanout) {
        HttpServerResponse resp = ctx.response();
        resp.setChunked(true).putHeader("Content-Type", "video/mp2t").putHeader("Cache-Control", "no-cache")
                .putHeader("Access-Control-Allow-Origin", "*");
        resp.writeHead();
        fanout.add(vertx.getOrCreateContext(), resp);
    }

    private void publish(RoutingContext ctx, String name, StreamOutput out) {
        Capture c = supervisor.capture(name);
        if (c == null || !c.acceptsPublish()) {
            ctx.response().setStatusCode(403).putHeader("Content-Type", "text/plain")
                    .end("stream " + name + " has no publish:// input\n");
            return;
        }
        HttpServerRequest req = ctx.request();
        var context = vertx.getOrCreateContext();
        PublishPipe.Session[] holder = new PublishPipe.Session[1];
        PublishPipe.Session session = out.publish().attach(() -> context.runOnContext(v -> {
            if (holder[0] != null && !holder[0].full()) {
                req.resume();
            }
        }));
        if (session == null) {
            ctx.response().setStatusCode(409).putHeader("Content-Type", "text/plain")
                    .end("another publisher is pushing to " + name + "\n");
            return;
        }
        holder[0] = session;
        req.handler(buf -> {
            session.push(buf.getBytes());
            if (session.full()) {
                req.pause();
            }
        });
        req.endHandler(v -> {
            session.end();
            ctx.response().setStatusCode(204).end();
        });
        req.exceptionHandler(e -> session.end());
        req.connection().closeHandler(v -> session.end());
    }

    /**
     * Restreaming (the default with a control plane): a stream this agent does not capture is
     * pulled from the server that does ({@link EdgeStreams}); a push is forwarded there. Requests
     * that are themselves pulls or forwarded pushes of a peer are never restreamed again.
     */
    private boolean restream(RoutingContext ctx, String name, String file) {
        HttpServerRequest req = ctx.request();
        if (edge == null || hasParam(req.query(), EdgeStreams.PULL_PARAM)) {
            return false;
        }
        HttpMethod m = req.method();
        boolean mpegts = file.equals("mpegts");
        boolean push = mpegts && (m == HttpMethod.PUT || m == HttpMethod.POST);
        boolean live = mpegts && m == HttpMethod.GET;
        boolean hls = !mpegts && (m == HttpMethod.GET || m == HttpMethod.HEAD)
                && (HlsOutput.isServedFile(file) || file.equals(PREVIEW));
        if (!push && !live && !hls) {
            return false;
        }
        Context context = vertx.getOrCreateContext();
        if (push) {
            req.pause();
            edge.pushTarget(name).whenComplete((a, e) -> context.runOnContext(v -> {
                if (a != null && a.output() != null) {
                    publish(ctx, name, a.output());
                    req.resume();
                } else if (a != null && a.forwardUrl() != null) {
                    forwarder.forward(req, a.forwardUrl());
                } else {
                    fail(ctx, a == null ? 503 : a.status(), a == null ? "restream failed: " + e + "\n" : a.message());
                }
            }));
            return true;
        }
        edge.access(name, live ? EdgeStreams.Want.LIVE : EdgeStreams.Want.PLAYLIST).whenComplete((a, e) ->
                context.runOnContext(v -> {
                    if (ctx.response().ended() || ctx.response().closed()) {
                        return;
                    }
                    if (a != null && a.output() != null) {
                        serve(ctx, name, file, a.output(), null);
                    } else if (a != null && a.redirectBase() != null) {
                        String q = req.query();
                        ctx.response().setStatusCode(302).putHeader("Cache-Control", "no-cache")
                                .putHeader("Location", a.redirectBase() + "/" + name + "/" + file
                                        + (q == null || q.isEmpty() ? "" : "?" + q)).end();
                    } else {
                        fail(ctx, a == null ? 503 : a.status(), a == null ? "restream failed: " + e + "\n" : a.message());
                    }
                }));
        return true;
    }

    private static boolean hasParam(String query, String param) {
        return query != null && (query.startsWith(param + "=") || query.contains("&" + param + "="));
    }

    private static void fail(RoutingContext ctx, int status, String message) {
        if (!ctx.response().ended() && !ctx.response().headWritten()) {
            ctx.response().setStatusCode(status).putHeader("Content-Type", "text/plain")
                    .putHeader("Cache-Control", "no-cache").end(message);
        }
    }

    /**
     * Peering redirect mode: a viewer asking for a stream this agent does not run is sent to the
     * balancer, which knows who does. The added {@value #HOP} parameter stops a loop when the
     * balancer sends it back here.
     */
    private boolean redirectToBalancer(RoutingContext ctx, String name, String file) {
        HttpServerRequest req = ctx.request();
        boolean media = file.equals("mpegts") ? req.method() == HttpMethod.GET
                : (req.method() == HttpMethod.GET || req.method() == HttpMethod.HEAD) && HlsOutput.isServedFile(file);
        String query = req.query();
        if (redirectBase == null || !media || (query != null && (query.startsWith(HOP + "=")
                || query.contains("&" + HOP + "=")))) {
            return false;
        }
        String location = redirectBase + "/lb/" + name + "/" + file + "?"
                + (query == null || query.isEmpty() ? "" : query + "&") + HOP + "=1";
        ctx.response().setStatusCode(302).putHeader("Location", location).putHeader("Cache-Control", "no-cache").end();
        return true;
    }

    private static void notFound(RoutingContext ctx) {
        if (!ctx.response().ended() && !ctx.response().headWritten()) {
            ctx.response().setStatusCode(404).putHeader("Content-Type", "text/plain")
                    .putHeader("Cache-Control", "no-cache").end("not found\n");
        }
    }

    /** Whether a path is a regular file (for tests and tools). */
    static boolean exists(Path p) {
        return Files.isRegularFile(p);
    }
}
