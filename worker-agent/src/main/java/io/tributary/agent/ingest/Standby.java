package io.tributary.agent.ingest;

import static org.bytedeco.ffmpeg.global.avcodec.AV_PKT_FLAG_KEY;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.function.Consumer;

import org.bytedeco.ffmpeg.avcodec.AVPacket;

import io.tributary.agent.ffmpeg.PacketSource;
import io.tributary.agent.ffmpeg.SourceStream;
import io.tributary.api.stream.InputConfig;

/**
 * While a capture runs on a backup input, retries the better inputs in the background. When one
 * delivers a keyframe it is handed over, opened, with that keyframe, so the capture switches back
 * at a keyframe without a probe gap.
 */
final class Standby {
    private static final System.Logger LOG = System.getLogger(Standby.class.getName());

    /** A better input, opened, and its first keyframe. */
    record Ready(int index, PacketSource source, AVPacket firstPacket, Deadline deadline) {
        void close() {
            source.close();
            av_packet_free(firstPacket);
        }
    }

    private final List<InputConfig> better;
    private final InputOpener opener;
    private final StreamOutput output;
    private final long retryMs;
    private final long graceMs;
    private final Consumer<Ready> onReady;
    private final String logPrefix;
    private final Thread thread;
    private final Object lock = new Object();
    private volatile boolean cancelled;
    private volatile Deadline current;

    Standby(List<InputConfig> better, InputOpener opener, StreamOutput output, long retryMs, long graceMs,
            Consumer<Ready> onReady, String logPrefix) {
        this.better = better;
        this.opener = opener;
        this.output = output;
        this.retryMs = retryMs;
        this.graceMs = graceMs;
        this.onReady = onReady;
        this.logPrefix = logPrefix;
        this.thread = new Thread(this::run, "standby-" + output.name());
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void cancel() {
        cancelled = true;
        Deadline d = current;
        if (d != null) {
            d.cancel();
        }
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    void join() {
        if (thread.isAlive() && Thread.currentThread() != thread) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        while (!cancelled) {
            synchronized (lock) {
                try {
                    lock.wait(retryMs);
                } catch (InterruptedException e) {
                    return;
                }
            }
            for (int i = 0; i < better.size() && !cancelled; i++) {
                Ready r = tryInput(i);
                if (r != null) {
                    if (cancelled) {
                        r.close();
                    } else {
                        onReady.accept(r);
                    }
                    return;
                }
            }
        }
    }

    private Ready tryInput(int index) {
        InputConfig in = better.get(index);
        if (InputOpener.scheme(in.url()).equals("publish") && !output.publish().hasPublisher()) {
            return null;
        }
        long timeoutMs = in.effectiveSourceTimeout() * 1000L;
        Deadline d = new Deadline(timeoutMs + graceMs);
        current = d;
        PacketSource src = null;
        AVPacket pkt = av_packet_alloc();
        try {
            src = opener.open(in, output, d);
            d.extend(timeoutMs);
            int keyStream = -1;
            for (SourceStream s : src.streams()) {
                if (s.video()) {
                    keyStream = s.index();
                    break;
                }
            }
            while (!cancelled) {
                if (!src.read(pkt)) {
                    break;
                }
                boolean ok = keyStream < 0 ? true
                        : pkt.stream_index() == keyStream && (pkt.flags() & AV_PKT_FLAG_KEY) != 0;
                if (ok) {
                    current = null; // the deadline now belongs to the capture
                    Ready r = new Ready(index, src, pkt, d);
                    src = null;
                    pkt = null;
                    return r;
                }
                av_packet_unref(pkt);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, logPrefix + "better input " + in.url() + " still down: " + e.getMessage());
        } finally {
            if (src != null) {
                src.close();
            }
            if (pkt != null) {
                av_packet_free(pkt);
            }
        }
        return null;
    }
}
