package io.tributary.agent.dvr;

import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

import io.tributary.api.Json;
import io.tributary.api.agent.DvrLocations;
import io.tributary.api.agent.DvrStatus;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * The DVR URLs of any stream, whether it runs here or not: archive playlists, MP4 exports,
 * recording status, thumbnails and archive segments. Local parts come from disk, the rest from
 * the servers that hold them ({@link RemoteArchives}); {@code ?local=1} (peers asking) limits an
 * answer to this agent's own archive. Bad requests get a 4xx with a one-line reason.
 */
public final class DvrHttp {
    private static final System.Logger LOG = System.getLogger(DvrHttp.class.getName());

    private final Vertx vertx;
    private final DvrStore store;
    private final RemoteArchives remote;
    private final String host;
    private final Path tmpDir;
    private final AtomicLong bytesSent;
    /** MP4 exports and thumbnails running at once (each holds a worker thread and some CPU). */
    private final Semaphore heavy = new Semaphore(2);

    public DvrHttp(Vertx vertx, DvrStore store, RemoteArchives remote, String host, Path tmpDir, AtomicLong bytesSent) {
        this.vertx = vertx;
        this.store = store;
        this.remote = remote;
        this.host = host;
        this.tmpDir = tmpDir;
        this.bytesSent = bytesSent;
    }

    private static final String CONTEXT = "tributary.dvr.context";

    /** Runs {@code r} on the request's own event loop (answers are written there, whatever thread computed them). */
    private static void onLoop(RoutingContext ctx, Runnable r) {
        io.vertx.core.Context c = ctx.get(CONTEXT);
        if (io.vertx.core.Vertx.currentContext() == c) {
            r.run(); // already there (a local segment): no extra hop
        } else {
            c.runOnContext(v -> r.run());
        }
    }

    /** Whether {@code file} (a URL's last path component) is a DVR resource. */
    public static boolean handles(String file) {
        return ArchiveRequest.isDvr(file);
    }

    public void handle(RoutingContext ctx, String name, String file) {
        ctx.put(CONTEXT, vertx.getOrCreateContext());
        HttpMethod m = ctx.request().method();
        if (m != HttpMethod.GET && m != HttpMethod.HEAD) {
            ctx.response().putHeader("Allow", "GET, HEAD");
            error(ctx, 405, "DVR URLs answer GET and HEAD only");
            return;
        }
        ArchiveRequest r = ArchiveRequest.parse(file, store.clock().millis(), store.config());
        if (r.kind() == ArchiveRequest.Kind.INVALID) {
            error(ctx, r.errorStatus(), r.error());
            return;
        }
        boolean local = "1".equals(ctx.request().getParam("local"));
        if (r.kind() == ArchiveRequest.Kind.SEGMENT) {
            StreamArchive a = store.archive(name);
            ArchiveSegment s = a == null ? null : a.at(r.startMs());
            if (s != null && s.durationMs() == r.durationMs()) {
                // the hot path: straight from the event loop, size from the index (no stat), zero-copy sendfile
                sendSegment(ctx, s.file(), s.bytes());
                return;
            }
            if (local || remote == null) {
                error(ctx, 404, "no archive segment " + file + " of " + name + " here");
                return;
            }
        }
        vertx.executeBlocking(() -> {
            answer(ctx, name, file, r, local);
            return null;
        }, false).onFailure(e -> {
            LOG.log(Level.WARNING, "stream=" + name + " host=" + host + ": DVR request " + file + " failed: " + e);
            error(ctx, 500, "DVR request failed: " + e.getMessage());
        });
    }

    /** On a worker thread: everything that may touch the disk, a peer or FFmpeg. */
    private void answer(RoutingContext ctx, String name, String file, ArchiveRequest r, boolean local) throws Exception {
        switch (r.kind()) {
            case STATUS -> status(ctx, name, local);
            case INDEX -> index(ctx, name);
            case SEGMENT -> {
                Path p = remote.segment(name, r.startMs(), r.durationMs());
                if (p == null) {
                    error(ctx, 404, "no archive segment " + file + " of " + name + " on any server");
                } else {
                    sendFile(ctx, p, "video/mp2t", "public, max-age=86400");
                }
            }
            case PLAYLIST -> playlist(ctx, name, r, local);
            case MP4 -> mp4(ctx, name, r, local);
            case THUMBNAIL -> thumbnail(ctx, name, r, local);
            default -> error(ctx, 400, "not a DVR URL");
        }
    }

    private void status(RoutingContext ctx, String name, boolean local) throws Exception {
        StreamArchive a = store.archive(name);
        List<List<Long>> ranges = new ArrayList<>();
        long bytes = 0;
        String err = null;
        if (a != null && !a.isEmpty()) {
            ranges.addAll(a.ranges());
            bytes += a.bytes();
        }
        if (a != null) {
            err = a.error();
        }
        if (!local && remote != null) {
            for (DvrLocations.Holder h : remote.holders(name)) {
                if (h.ranges() != null) {
                    ranges.addAll(h.ranges());
                }
                bytes += h.bytes() == null ? 0 : h.bytes();
            }
        }
        List<List<Long>> merged = DvrStatus.mergeRanges(ranges);
        if (merged.isEmpty() && err == null) {
            error(ctx, 404, "no recording of " + name);
            return;
        }
        Long from = merged.isEmpty() ? null : merged.get(0).get(0);
        Long depth = merged.isEmpty() ? null : merged.get(merged.size() - 1).get(1) - from;
        json(ctx, Json.mapper().writeValueAsString(new DvrStatus(name, from, depth, merged, bytes, err)));
    }

    /** Internal: this agent's own segments of {@code ?from=&to=} (UNIX ms), for peers stitching an archive. */
    private void index(RoutingContext ctx, String name) throws Exception {
        long from = parseLong(ctx.request().getParam("from"), 0);
        long to = parseLong(ctx.request().getParam("to"), Long.MAX_VALUE);
        StreamArchive a = store.archive(name);
        List<List<Object>> segs = new ArrayList<>();
        if (a != null) {
            for (ArchiveSegment s : a.between(from, to)) {
                segs.add(List.of(s.startMs(), s.durationMs(), s.discontinuity()));
            }
        }
        Map<String, Object> body = new TreeMap<>();
        body.put("host", host);
        body.put("segments", segs);
        json(ctx, Json.mapper().writeValueAsString(body));
    }

    private static long parseLong(String s, long def) {
        try {
            return s == null ? def : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return def;
        }
    }

    /** Every holder's segments of the range, stitched into one timeline. */
    private List<ArchivePlaylist.Entry> timeline(String name, long fromMs, long toMs, boolean local) {
        List<ArchivePlaylist.Entry> all = new ArrayList<>();
        StreamArchive a = store.archive(name);
        if (a != null) {
            for (ArchiveSegment s : a.between(fromMs, toMs)) {
                all.add(new ArchivePlaylist.Entry(s.startMs(), s.durationMs(), s.discontinuity(), host));
            }
        }
        if (!local && remote != null) {
            for (RemoteArchives.RemoteSegment s : remote.segments(name, fromMs, toMs)) {
                all.add(new ArchivePlaylist.Entry(s.startMs(), s.durationMs(), s.discontinuity(), s.host()));
            }
        }
        return ArchivePlaylist.stitch(all);
    }

    private void playlist(RoutingContext ctx, String name, ArchiveRequest r, boolean local) {
        long toMs = r.now() ? Long.MAX_VALUE : r.toMs();
        List<ArchivePlaylist.Entry> t = timeline(name, r.fromMs(), toMs, local);
        if (t.isEmpty()) {
            error(ctx, 404, "no recording of " + name + " between " + r.fromS() + " and "
                    + (r.now() ? "now" : Long.toString(r.fromS() + r.durationS())));
            return;
        }
        String body = ArchivePlaylist.render(t, !r.now());
        onLoop(ctx, () -> ctx.response().putHeader("Content-Type", "application/vnd.apple.mpegurl")
                .putHeader("Cache-Control", r.now() ? "no-cache" : "max-age=10").end(body));
    }

    /** The file of one timeline entry: local, or fetched from its holder into the cache. */
    private Path fileOf(String name, ArchivePlaylist.Entry e) {
        StreamArchive a = store.archive(name);
        ArchiveSegment s = a == null ? null : a.at(e.startMs());
        if (s != null && Files.isRegularFile(s.file())) {
            return s.file();
        }
        return remote == null ? null : remote.segment(name, e.startMs(), e.durationMs());
    }

    private void mp4(RoutingContext ctx, String name, ArchiveRequest r, boolean local) throws Exception {
        List<ArchivePlaylist.Entry> t = timeline(name, r.fromMs(), r.toMs(), local);
        if (t.isEmpty()) {
            error(ctx, 404, "no recording of " + name + " between " + r.fromS() + " and " + (r.fromS() + r.durationS()));
            return;
        }
        if (!heavy.tryAcquire()) {
            ctx.response().putHeader("Retry-After", "2");
            error(ctx, 503, "too many MP4 exports running: try again shortly");
            return;
        }
        Path out = null;
        try {
            List<Path> files = new ArrayList<>();
            for (ArchivePlaylist.Entry e : t) {
                Path p = fileOf(name, e);
                if (p != null) {
                    files.add(p);
                }
            }
            if (files.isEmpty()) {
                error(ctx, 404, "the servers holding " + name + " between " + r.fromS() + " and "
                        + (r.fromS() + r.durationS()) + " do not answer");
                return;
            }
            Files.createDirectories(tmpDir);
            out = Files.createTempFile(tmpDir, "export", ".mp4");
            Mp4Export.export(files, out);
        } finally {
            heavy.release();
        }
        Path done = out;
        String fileName = name.replace('/', '_') + "-" + r.fromS() + "-" + r.durationS() + ".mp4";
        onLoop(ctx, () -> {
            HttpServerResponse resp = ctx.response().putHeader("Content-Type", "video/mp4")
                    .putHeader("Content-Disposition", "attachment; filename=\"" + fileName + "\"")
                    .putHeader("Cache-Control", "no-cache");
            long size = done.toFile().length();
            resp.sendFile(done.toString()).onComplete(x -> {
                if (x.succeeded()) {
                    bytesSent.addAndGet(size);
                }
                vertx.fileSystem().delete(done.toString());
            });
        });
    }

    private void thumbnail(RoutingContext ctx, String name, ArchiveRequest r, boolean local) {
        List<ArchivePlaylist.Entry> t = timeline(name, r.fromMs(), r.fromMs() + 60_000, local);
        if (t.isEmpty()) {
            error(ctx, 404, "no recording of " + name + " at " + r.fromS());
            return;
        }
        Path p = fileOf(name, t.get(0));
        if (p == null) {
            error(ctx, 404, "the server holding " + name + " at " + r.fromS() + " does not answer");
            return;
        }
        if (!heavy.tryAcquire()) {
            ctx.response().putHeader("Retry-After", "1");
            error(ctx, 503, "too many thumbnails being made: try again shortly");
            return;
        }
        byte[] jpeg;
        try {
            jpeg = Thumbnail.of(p);
        } finally {
            heavy.release();
        }
        onLoop(ctx, () -> ctx.response().putHeader("Content-Type", "image/jpeg")
                .putHeader("Cache-Control", "public, max-age=3600").end(Buffer.buffer(jpeg)));
    }

    private static final CharSequence CONTENT_TYPE = io.vertx.core.http.HttpHeaders.CONTENT_TYPE;
    private static final CharSequence CACHE_CONTROL = io.vertx.core.http.HttpHeaders.CACHE_CONTROL;
    private static final CharSequence TS = io.vertx.core.http.HttpHeaders.createOptimized("video/mp2t");
    private static final CharSequence SEGMENT_CACHE = io.vertx.core.http.HttpHeaders.createOptimized("public, max-age=86400");

    /**
     * A local archive segment, answered on the request's event loop: no hop to a worker, no stat
     * (the index knows the size), preallocated header names and values, and Vert.x' sendFile,
     * which is a zero-copy {@code sendfile(2)} of the open file on a plain connection.
     */
    private void sendSegment(RoutingContext ctx, Path f, long size) {
        HttpServerResponse resp = ctx.response().putHeader(CONTENT_TYPE, TS).putHeader(CACHE_CONTROL, SEGMENT_CACHE);
        if (ctx.request().method() == HttpMethod.HEAD) {
            resp.putHeader(io.vertx.core.http.HttpHeaders.CONTENT_LENGTH, Long.toString(size)).end();
            return;
        }
        resp.sendFile(f.toString(), 0, size).onComplete(x -> {
            if (x.succeeded()) {
                bytesSent.addAndGet(size);
            } else if (!resp.headWritten()) {
                error(ctx, 404, "archive segment is gone (retention)");
            }
        });
    }

    private void sendFile(RoutingContext ctx, Path f, String type, String cache) {
        onLoop(ctx, () -> {
            HttpServerResponse resp = ctx.response().putHeader("Content-Type", type).putHeader("Cache-Control", cache);
            long size = f.toFile().length();
            if (ctx.request().method() == HttpMethod.HEAD) {
                resp.putHeader("Content-Length", Long.toString(size)).end();
                return;
            }
            resp.sendFile(f.toString()).onComplete(x -> {
                if (x.succeeded()) {
                    bytesSent.addAndGet(size);
                } else if (!resp.headWritten()) {
                    error(ctx, 404, "archive segment is gone (retention)");
                }
            });
        });
    }

    private void json(RoutingContext ctx, String body) {
        onLoop(ctx, () -> ctx.response().putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-cache").end(body));
    }

    private void error(RoutingContext ctx, int status, String why) {
        onLoop(ctx, () -> {
            HttpServerResponse resp = ctx.response();
            if (!resp.ended() && !resp.headWritten()) {
                resp.setStatusCode(status).putHeader("Content-Type", "text/plain").putHeader("Cache-Control", "no-cache")
                        .end(why + "\n");
            }
        });
    }
}
