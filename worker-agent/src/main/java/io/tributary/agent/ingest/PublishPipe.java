package io.tributary.agent.ingest;

import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EXIT;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.tributary.agent.ffmpeg.ByteReader;
import io.tributary.agent.ffmpeg.Interrupt;

/**
 * Carries MPEG-TS bytes pushed over HTTP (PUT/POST /{name}/mpegts) to the capture's demuxer.
 * One publisher at a time; the HTTP side pauses the upload while the queue is full.
 */
public final class PublishPipe {
    /** A publisher's session; the HTTP layer holds it and ends it when the upload ends. */
    public final class Session {
        private volatile boolean ended;
        private volatile long lastPushNanos = System.nanoTime();

        public void push(byte[] bytes) {
            if (!ended) {
                lastPushNanos = System.nanoTime();
                queued.addAndGet(bytes.length);
                queue.add(bytes);
            }
        }

        public boolean full() {
            return queued.get() > HIGH_WATER;
        }

        /** Ends the session; the demuxer reads the end only when this is still the current session. */
        public synchronized void end() {
            if (ended) {
                return;
            }
            ended = true;
            if (current.get() == this) {
                queue.add(EOF);
            }
        }

        public boolean ended() {
            return ended;
        }
    }

    /**
     * A publisher silent this long gives way to a new one: an encoder that crashed and reconnects
     * is taken at once, before TCP or SRT notices that its old connection is dead.
     */
    public static final long STALE_MS = 2000;
    private static final int HIGH_WATER = 4 * 1024 * 1024;
    private static final byte[] EOF = new byte[0];

    private final LinkedBlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicReference<Session> current = new AtomicReference<>();
    private volatile Runnable onDrain = () -> { };
    private byte[] chunk;
    private int chunkPos;

    /** Starts a publisher's session, or null when another publisher is still pushing. */
    public Session attach(Runnable drainListener) {
        Session s = new Session();
        Session old = current.get();
        boolean takeover = false;
        if (old != null && !old.ended()) {
            if (!stale(old)) {
                return null;
            }
            // Its connection is dead in all but name: its end stays queued, so the demuxer
            // finishes the old publisher's bytes and starts afresh on the new one's.
            old.end();
            takeover = true;
        }
        if (!current.compareAndSet(old, s)) {
            return null;
        }
        if (!takeover) {
            queue.clear();
            queued.set(0);
        }
        onDrain = drainListener;
        return s;
    }

    public boolean hasPublisher() {
        Session s = current.get();
        return s != null && !s.ended();
    }

    /** A publisher that sent something within {@link #STALE_MS}: a new one would be refused. */
    public boolean hasActivePublisher() {
        Session s = current.get();
        return s != null && !s.ended() && !stale(s);
    }

    private static boolean stale(Session s) {
        return System.nanoTime() - s.lastPushNanos > STALE_MS * 1_000_000L;
    }

    /** Reader for one demuxer: EOF when the publisher's upload ended, AVERROR_EXIT when interrupted. */
    public ByteReader reader(Interrupt interrupt) {
        Reader r = javaReader(interrupt);
        byte[] tmp = new byte[64 * 1024];
        return (buf, size) -> {
            while (true) {
                if (interrupt.interrupted()) {
                    return AVERROR_EXIT;
                }
                int n = r.read(tmp, 0, Math.min(size, tmp.length));
                if (n < 0) {
                    return AVERROR_EOF;
                }
                if (n > 0) {
                    buf.put(tmp, 0, n);
                    return n;
                }
            }
        };
    }

    /** Reads the pushed bytes from Java: a count, 0 when nothing came within 100 ms, -1 when the upload ended. */
    @FunctionalInterface
    interface Reader {
        int read(byte[] buf, int off, int len);
    }

    /** A reader for one session of a capture (the pass-through path reads the push without a demuxer). */
    Reader javaReader(Interrupt interrupt) {
        chunk = null;
        return (buf, off, len) -> {
            if (chunk == null || chunkPos >= chunk.length) {
                if (interrupt.interrupted()) {
                    return 0;
                }
                byte[] next;
                try {
                    next = queue.poll(100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return 0;
                }
                if (next == null) {
                    return 0;
                }
                if (next == EOF) {
                    chunk = null;
                    return -1;
                }
                int left = queued.addAndGet(-next.length);
                if (left < HIGH_WATER / 2) {
                    onDrain.run();
                }
                chunk = next;
                chunkPos = 0;
            }
            int n = Math.min(len, chunk.length - chunkPos);
            System.arraycopy(chunk, chunkPos, buf, off, n);
            chunkPos += n;
            return n;
        };
    }
}
