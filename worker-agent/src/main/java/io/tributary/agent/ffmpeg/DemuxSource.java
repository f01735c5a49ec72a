package io.tributary.agent.ffmpeg;

import static org.bytedeco.ffmpeg.global.avformat.av_find_input_format;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_find_stream_info;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avformat.avio_alloc_context;
import static org.bytedeco.ffmpeg.global.avformat.avio_context_free;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_AUDIO;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;
import static org.bytedeco.ffmpeg.global.avutil.av_free;
import static org.bytedeco.ffmpeg.global.avutil.av_malloc;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVInputFormat;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;

/** An input demuxed by libavformat (network URL, file, or bytes pushed through a custom reader). */
public final class DemuxSource implements PacketSource {
    private static final int IO_BUFFER = 64 * 1024;
    /** libavformat's AVFMT_FLAG_CUSTOM_IO (not exported by the presets). */
    private static final int AVFMT_FLAG_CUSTOM_IO = 0x0080;

    private final NativeCallbacks.Handle interruptHandle;
    private NativeCallbacks.Handle readerHandle;
    private AVFormatContext ctx;
    private AVIOContext customIo;
    private final List<SourceStream> streams = new ArrayList<>();

    private DemuxSource(Interrupt interrupt) {
        this.interruptHandle = new NativeCallbacks.Handle(interrupt);
    }

    /** Opens {@code url} with the given AVOptions (timeouts in microseconds, as FFmpeg wants them). */
    public static DemuxSource open(String url, String format, Map<String, String> options, Interrupt interrupt) {
        DemuxSource s = new DemuxSource(interrupt);
        try {
            s.doOpen(url, format, options, null);
            return s;
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Opens a stream of bytes handed over by {@code reader} (MPEG-TS pushed over HTTP). */
    public static DemuxSource openReader(ByteReader reader, String format, Map<String, String> options,
            Interrupt interrupt) {
        DemuxSource s = new DemuxSource(interrupt);
        try {
            s.doOpen("", format, options, reader);
            return s;
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void doOpen(String url, String format, Map<String, String> options, ByteReader reader) {
        ctx = avformat_alloc_context();
        if (ctx == null || ctx.isNull()) {
            throw new FfmpegException("avformat_alloc_context", "out of memory");
        }
        ctx.interrupt_callback().callback(NativeCallbacks.INTERRUPT);
        ctx.interrupt_callback().opaque(interruptHandle.opaque());
        if (reader != null) {
            readerHandle = new NativeCallbacks.Handle(reader);
            BytePointer buf = new BytePointer(av_malloc(IO_BUFFER));
            customIo = avio_alloc_context(buf, IO_BUFFER, 0, readerHandle.opaque(), NativeCallbacks.READ, null, null);
            ctx.pb(customIo);
            ctx.flags(ctx.flags() | AVFMT_FLAG_CUSTOM_IO);
        }
        AVInputFormat fmt = null;
        if (format != null) {
            fmt = av_find_input_format(format);
            if (fmt == null || fmt.isNull()) {
                throw new FfmpegException("av_find_input_format", "no demuxer named " + format);
            }
        }
        AVDictionary opts = new AVDictionary(null);
        for (Map.Entry<String, String> e : options.entrySet()) {
            av_dict_set(opts, e.getKey(), e.getValue(), 0);
        }
        int ret = avformat_open_input(ctx, url, fmt, opts);
        av_dict_free(opts);
        if (ret < 0) {
            ctx = null; // freed by avformat_open_input on failure
            throw new FfmpegException("avformat_open_input", ret);
        }
        FfmpegException.check("avformat_find_stream_info", avformat_find_stream_info(ctx, (PointerPointer<?>) null));
        int video = 0;
        int audio = 0;
        for (int i = 0; i < ctx.nb_streams(); i++) {
            AVStream st = ctx.streams(i);
            int type = st.codecpar().codec_type();
            if (type == AVMEDIA_TYPE_VIDEO) {
                streams.add(new SourceStream(i, true, st.codecpar(), st.time_base(),
                        Tracks.describe("v" + (++video), st.codecpar(), st.avg_frame_rate().num() > 0
                                ? st.avg_frame_rate() : st.r_frame_rate())));
            } else if (type == AVMEDIA_TYPE_AUDIO) {
                streams.add(new SourceStream(i, false, st.codecpar(), st.time_base(),
                        Tracks.describe("a" + (++audio), st.codecpar(), null)));
            }
        }
        if (streams.isEmpty()) {
            throw new FfmpegException("avformat_find_stream_info", "the input has no audio or video stream");
        }
    }

    @Override
    public List<SourceStream> streams() {
        return streams;
    }

    @Override
    public boolean read(AVPacket pkt) {
        int ret = av_read_frame(ctx, pkt);
        if (ret == AVERROR_EOF) {
            return false;
        }
        FfmpegException.check("av_read_frame", ret);
        return true;
    }

    @Override
    public void close() {
        if (ctx != null) {
            avformat_close_input(ctx);
            ctx = null;
        }
        if (customIo != null) {
            av_free(customIo.buffer());
            avio_context_free(customIo);
            customIo = null;
        }
        if (readerHandle != null) {
            readerHandle.close();
        }
        interruptHandle.close();
    }
}
