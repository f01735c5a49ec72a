package io.tributary.agent.transcode;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVFrame;

/**
 * Runs one rung's scaling and its encoding on two threads of their own, so the decoder, the
 * scalers and every rung's encoder work at the same time (as the CLI's threads do). Frames come in through a short bounded queue
 * (the decoder waits when a rung falls behind), encoded packets go out through a queue the
 * capture thread drains and muxes.
 */
final class RungWorker implements AutoCloseable {
    private record Job(AVFrame frame, long pts, boolean key) {
    }

    private static final Job END = new Job(null, 0, false);
    /** Drains the encoder (end of the input): every frame handed over comes out as packets. */
    private static final Job FLUSH = new Job(null, 0, true);
    private static final int QUEUE = 8;

    private final RungEncoder encoder;
    private final BlockingQueue<Job> in = new ArrayBlockingQueue<>(QUEUE);
    private final BlockingQueue<Job> scaled = new ArrayBlockingQueue<>(QUEUE);
    private final ConcurrentLinkedQueue<AVPacket> out = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private final Thread encodeThread;
    private volatile Throwable failure;
    private final java.util.concurrent.Semaphore flushed = new java.util.concurrent.Semaphore(0);

    RungWorker(RungEncoder encoder, String name) {
        this.encoder = encoder;
        this.thread = new Thread(this::scaleLoop, "scale-" + name);
        this.thread.setDaemon(true);
        this.encodeThread = new Thread(this::encodeLoop, "encode-" + name);
        this.encodeThread.setDaemon(true);
        this.thread.start();
        this.encodeThread.start();
    }

    RungEncoder encoder() {
        return encoder;
    }

    /** Hands over a frame reference (the worker frees it); waits while the queue is full. */
    void submit(AVFrame frame, long pts, boolean key) {
        Job j = new Job(frame, pts, key);
        try {
            while (!in.offer(j, 100, TimeUnit.MILLISECONDS)) {
                checkFailure(frame);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            av_frame_free(frame);
            throw new IllegalStateException("interrupted while queueing a frame", e);
        }
        checkFailure(null);
    }

    private void checkFailure(AVFrame pending) {
        Throwable f = failure;
        if (f != null) {
            if (pending != null) {
                av_frame_free(pending);
            }
            throw f instanceof RuntimeException re ? re : new IllegalStateException(f);
        }
    }

    /** Asks for the encoder to be drained after the frames handed over so far (see {@link #awaitFlush}). */
    void startFlush() {
        try {
            while (!in.offer(FLUSH, 100, TimeUnit.MILLISECONDS)) {
                checkFailure(null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while flushing the encoder", e);
        }
    }

    /** Waits until the drain asked by {@link #startFlush} is done. */
    void awaitFlush() {
        try {
            while (!flushed.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                checkFailure(null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while flushing the encoder", e);
        }
        checkFailure(null);
    }

    /** The next encoded packet, or null; the caller frees it. */
    AVPacket poll() {
        return out.poll();
    }

    private void scaleLoop() {
        try {
            while (true) {
                Job j = in.take();
                if (j == END) {
                    scaled.put(END);
                    return;
                }
                if (j == FLUSH) {
                    scaled.put(FLUSH);
                    continue;
                }
                AVFrame f = null;
                try {
                    if (failure == null) {
                        f = encoder.scale(j.frame(), j.pts(), j.key());
                    }
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    av_frame_free(j.frame());
                }
                if (f != null) {
                    scaled.put(new Job(f, j.pts(), j.key()));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void encodeLoop() {
        try {
            while (true) {
                Job j = scaled.take();
                if (j == END) {
                    return;
                }
                if (j == FLUSH) {
                    try {
                        if (failure == null) {
                            encoder.flush();
                            out.addAll(encoder.packets());
                            encoder.packets().clear();
                        }
                    } catch (Throwable t) {
                        failure = t;
                    } finally {
                        flushed.release();
                    }
                    continue;
                }
                try {
                    if (failure == null) {
                        encoder.send(j.frame());
                        out.addAll(encoder.packets());
                        encoder.packets().clear();
                    }
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    encoder.recycle(j.frame());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void drop(BlockingQueue<Job> q) {
        Job j;
        while ((j = q.poll()) != null) {
            if (j.frame() != null) {
                av_frame_free(j.frame());
            }
        }
    }

    /** Stops the threads (dropping frames not encoded yet) and frees the encoder. */
    @Override
    public void close() {
        Job j;
        while ((j = in.poll()) != null) {
            if (j.frame() != null) {
                av_frame_free(j.frame());
            }
        }
        try {
            while (!in.offer(END, 100, TimeUnit.MILLISECONDS)) {
                drop(in);
            }
            // The scaler may be blocked on a full queue of scaled frames: make room until it passed END on.
            while (thread.isAlive() || !scaled.isEmpty()) {
                drop(scaled);
                thread.join(50);
                if (!encodeThread.isAlive()) {
                    break;
                }
            }
            thread.join(10_000);
            if (encodeThread.isAlive() && !scaled.offer(END, 1, TimeUnit.SECONDS)) {
                drop(scaled);
                scaled.offer(END);
            }
            encodeThread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        drop(scaled);
        if (!thread.isAlive() && !encodeThread.isAlive()) {
            AVPacket p;
            while ((p = out.poll()) != null) {
                av_packet_free(p);
            }
            encoder.close();
        }
    }
}
