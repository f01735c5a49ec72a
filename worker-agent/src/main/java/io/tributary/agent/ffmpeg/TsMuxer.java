package io.tributary.agent.ffmpeg;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_rescale_ts;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_copy;
import static org.bytedeco.ffmpeg.global.avformat.av_write_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_write_trailer;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_output_context2;
import static org.bytedeco.ffmpeg.global.avformat.avformat_free_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_new_stream;
import static org.bytedeco.ffmpeg.global.avformat.avformat_write_header;
import static org.bytedeco.ffmpeg.global.avformat.avio_alloc_context;
import static org.bytedeco.ffmpeg.global.avformat.avio_context_free;
import static org.bytedeco.ffmpeg.global.avformat.avio_flush;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.av_free;
import static org.bytedeco.ffmpeg.global.avutil.av_malloc;
import static org.bytedeco.ffmpeg.global.avutil.av_opt_set;

import java.util.List;

import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Copies packets (no decoding) into one MPEG-TS byte stream handed to a {@link ByteSink}. The same
 * bytes feed the HLS segments and the live {@code /mpegts} clients; {@link #cut()} flushes so a
 * new segment starts on a packet boundary with fresh PAT/PMT.
 */
public final class TsMuxer implements AutoCloseable {
    /** A multiple of the 188-byte TS packet, so every chunk handed to the sink is packet-aligned. */
    private static final int IO_BUFFER = 188 * 64;

    private final NativeCallbacks.Handle sinkHandle;
    private final AVFormatContext ctx;
    private final AVIOContext pb;
    private final AVRational[] inputTimeBases;
    private final long[] lastDts;
    private boolean headerWritten;
    private long droppedPackets;

    public TsMuxer(List<SourceStream> inputs, ByteSink sink) {
        sinkHandle = new NativeCallbacks.Handle((NativeCallbacks.Writer) (buf, size) -> {
            byte[] bytes = new byte[size];
            buf.get(bytes, 0, size);
            sink.accept(bytes);
            return size;
        });
        ctx = new AVFormatContext(null);
        int ret = avformat_alloc_output_context2(ctx, null, "mpegts", (String) null);
        if (ret < 0) {
            sinkHandle.close();
            throw new FfmpegException("avformat_alloc_output_context2", ret);
        }
        BytePointer buffer = new BytePointer(av_malloc(IO_BUFFER));
        pb = avio_alloc_context(buffer, IO_BUFFER, 1, sinkHandle.opaque(), null, NativeCallbacks.WRITE, null);
        ctx.pb(pb);
        inputTimeBases = new AVRational[inputs.size()];
        lastDts = new long[inputs.size()];
        try {
            for (int i = 0; i < inputs.size(); i++) {
                SourceStream in = inputs.get(i);
                AVStream os = avformat_new_stream(ctx, null);
                FfmpegException.check("avcodec_parameters_copy", avcodec_parameters_copy(os.codecpar(), in.parameters()));
                os.codecpar().codec_tag(0);
                os.time_base(in.timeBase());
                inputTimeBases[i] = in.timeBase();
                lastDts[i] = Long.MIN_VALUE;
            }
            FfmpegException.check("avformat_write_header", avformat_write_header(ctx, (PointerPointer<?>) null));
            headerWritten = true;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Writes a packet of output stream {@code index} (timestamps in that input's time base). Packets
     * whose DTS does not grow are dropped rather than failing the capture (sources do send them).
     */
    public boolean write(AVPacket pkt, int index) {
        pkt.stream_index(index);
        av_packet_rescale_ts(pkt, inputTimeBases[index], ctx.streams(index).time_base());
        long dts = pkt.dts() != AV_NOPTS_VALUE ? pkt.dts() : pkt.pts();
        if (dts != AV_NOPTS_VALUE) {
            if (dts <= lastDts[index] || (pkt.pts() != AV_NOPTS_VALUE && pkt.pts() < dts)) {
                droppedPackets++;
                return false;
            }
            lastDts[index] = dts;
        }
        FfmpegException.check("av_write_frame", av_write_frame(ctx, pkt));
        return true;
    }

    /** Flushes everything muxed so far to the sink and makes the next packet start with PAT/PMT. */
    public void cut() {
        av_write_frame(ctx, (AVPacket) null);
        avio_flush(pb);
        av_opt_set(ctx.priv_data(), "mpegts_flags", "+resend_headers", 0);
    }

    public long droppedPackets() {
        return droppedPackets;
    }

    @Override
    public void close() {
        if (headerWritten) {
            av_write_trailer(ctx);
            headerWritten = false;
        }
        if (pb != null && !pb.isNull()) {
            avio_flush(pb);
            av_free(pb.buffer());
            avio_context_free(pb);
        }
        avformat_free_context(ctx);
        sinkHandle.close();
    }
}
