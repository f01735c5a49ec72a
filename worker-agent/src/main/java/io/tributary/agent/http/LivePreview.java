package io.tributary.agent.http;

import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

import io.tributary.agent.dvr.Thumbnail;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * {@code /{name}/preview.jpg}: a JPEG of the first picture of the stream's newest live segment,
 * decoded once per segment whatever the number of viewers asking (the picture changes with each
 * segment), on a worker thread, never on the event loop.
 */
final class LivePreview {
    /** Streams whose last picture is kept; past this the cache starts over (a picture is ~15 KB). */
    private static final int MAX_ENTRIES = 1024;

    private record Entry(Path segment, Future<Buffer> jpeg) {
    }

    private final Vertx vertx;
    private final ConcurrentHashMap<String, Entry> cache = new ConcurrentHashMap<>();

    LivePreview(Vertx vertx) {
        this.vertx = vertx;
    }

    /** The picture of {@code segment}, the newest segment of {@code key}; decoded at most once. */
    Future<Buffer> of(String key, Path segment) {
        if (cache.size() > MAX_ENTRIES) {
            cache.clear();
        }
        return cache.compute(key, (k, old) -> old != null && old.segment().equals(segment) && !old.jpeg().failed() ? old
                : new Entry(segment, vertx.executeBlocking(() -> Buffer.buffer(Thumbnail.of(segment)), false))).jpeg();
    }
}
