package io.tributary.agent.ingest;

import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;

import java.util.List;
import java.util.Map;

import io.tributary.agent.ffmpeg.DemuxSource;
import io.tributary.agent.ffmpeg.Interrupt;
import io.tributary.agent.ffmpeg.SourceStream;
import io.tributary.api.stream.Track;

/**
 * The one-time probe of a pass-through session: libavformat looks at the first second or so of
 * the input's bytes (from memory, no I/O) to fill media_info with sizes, frame and sample rates.
 */
final class TsProbe {
    /** Enough bytes for about a second at 3 Mbit/s; lower rates probe after {@link #MAX_WAIT_MS}. */
    static final int BYTES = 384 * 1024;
    static final long MAX_WAIT_MS = 2_000;

    private TsProbe() {
    }

    /** The tracks libavformat finds in {@code data}; throws FfmpegException when it finds none. */
    static List<Track> probe(byte[] data, int len, Interrupt interrupt) {
        int[] pos = {0};
        Map<String, String> opts = Map.of("analyzeduration", "1000000", "probesize", Integer.toString(Math.max(len, 32)));
        try (DemuxSource s = DemuxSource.openReader((buf, size) -> {
            int n = Math.min(size, len - pos[0]);
            if (n <= 0) {
                return AVERROR_EOF;
            }
            buf.put(data, pos[0], n);
            pos[0] += n;
            return n;
        }, "mpegts", opts, interrupt)) {
            return s.streams().stream().map(SourceStream::track).toList();
        }
    }
}
