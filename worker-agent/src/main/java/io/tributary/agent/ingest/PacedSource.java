package io.tributary.agent.ingest;

import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EXIT;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;

import java.util.List;

import org.bytedeco.ffmpeg.avcodec.AVPacket;

import io.tributary.agent.ffmpeg.FfmpegException;
import io.tributary.agent.ffmpeg.Interrupt;
import io.tributary.agent.ffmpeg.PacketSource;
import io.tributary.agent.ffmpeg.SourceStream;

/** Plays a file input at its own speed (like ffmpeg -re), so a file behaves as a live source. */
final class PacedSource implements PacketSource {
    private final PacketSource inner;
    private final Interrupt interrupt;
    private long firstMs = Long.MIN_VALUE;
    private long startNanos;

    PacedSource(PacketSource inner, Interrupt interrupt) {
        this.inner = inner;
        this.interrupt = interrupt;
    }

    @Override
    public List<SourceStream> streams() {
        return inner.streams();
    }

    @Override
    public boolean read(AVPacket pkt) {
        if (!inner.read(pkt)) {
            return false;
        }
        long ts = pkt.dts() != AV_NOPTS_VALUE ? pkt.dts() : pkt.pts();
        if (ts == AV_NOPTS_VALUE) {
            return true;
        }
        SourceStream s = null;
        for (SourceStream c : inner.streams()) {
            if (c.index() == pkt.stream_index()) {
                s = c;
            }
        }
        if (s == null) {
            return true;
        }
        long ms = ts * 1000L * s.timeBase().num() / s.timeBase().den();
        if (firstMs == Long.MIN_VALUE) {
            firstMs = ms;
            startNanos = System.nanoTime();
        }
        long due = startNanos + (ms - firstMs) * 1_000_000L;
        while (System.nanoTime() < due) {
            if (interrupt.interrupted()) {
                throw new FfmpegException("file pacing", AVERROR_EXIT);
            }
            try {
                Thread.sleep(Math.max(1, Math.min(50, (due - System.nanoTime()) / 1_000_000L)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FfmpegException("file pacing", AVERROR_EXIT);
            }
        }
        return true;
    }

    @Override
    public void close() {
        inner.close();
    }
}
