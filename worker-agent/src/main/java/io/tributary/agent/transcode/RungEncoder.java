package io.tributary.agent.transcode;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder_by_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_free;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_from_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_packet;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_frame;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EAGAIN;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AV_PICTURE_TYPE_I;
import static org.bytedeco.ffmpeg.global.avutil.AV_PICTURE_TYPE_NONE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_buffer_ref;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_is_writable;
import static org.bytedeco.ffmpeg.global.avutil.av_make_q;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BICUBIC;
import static org.bytedeco.ffmpeg.global.swscale.sws_freeContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getCachedContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale_frame;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVBufferRef;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.ffmpeg.swscale.SwsContext;

import io.tributary.agent.ffmpeg.FfmpegException;

/**
 * Scales decoded frames to one rung's size (libswscale; the scaler is rebuilt when the source
 * size or pixel format changes) and encodes them (libx264 or libx265). Keyframes are only where
 * the ladder forces them, so every rung has them at the same timestamps. Used by one thread at
 * a time; encoded packets collect in {@link #packets()}.
 */
final class RungEncoder implements AutoCloseable {
    private final int width;
    private final int height;
    private final boolean hevc;
    private final AVCodecContext enc;
    private final AVCodecParameters parameters = avcodec_parameters_alloc();
    private final List<AVPacket> packets = new ArrayList<>();
    /** Scaled frames whose picture buffers can be written again (see {@link #recycle}). */
    private final ConcurrentLinkedQueue<AVFrame> spare = new ConcurrentLinkedQueue<>();
    private static final int SPARE = 4;
    private SwsContext sws;

    RungEncoder(int width, int height, String codec, String preset, long bitrate, int gopFrames,
            AVRational timeBase, AVRational frameRate, int threads) {
        this.width = width;
        this.height = height;
        this.hevc = "hevc".equals(codec);
        String name = hevc ? "libx265" : "libx264";
        AVCodec c = avcodec_find_encoder_by_name(name);
        if (c == null || c.isNull()) {
            throw new FfmpegException("avcodec_find_encoder_by_name", name + " is not in this FFmpeg build");
        }
        enc = avcodec_alloc_context3(c);
        try {
            enc.width(width).height(height).pix_fmt(AV_PIX_FMT_YUV420P).time_base(timeBase).framerate(frameRate)
                    .sample_aspect_ratio(av_make_q(1, 1)).bit_rate(bitrate).rc_max_rate(bitrate * 3 / 2)
                    .rc_buffer_size((int) Math.min(Integer.MAX_VALUE, bitrate * 2)).gop_size(gopFrames * 2)
                    .keyint_min(gopFrames).thread_count(threads);
            AVDictionary opts = new AVDictionary(null);
            av_dict_set(opts, "preset", preset, 0);
            av_dict_set(opts, "forced-idr", "1", 0);
            if (hevc) {
                av_dict_set(opts, "x265-params", "scenecut=0:log-level=error:pools=" + threads, 0);
            } else {
                av_dict_set(opts, "x264-params", "scenecut=0", 0);
            }
            int ret = avcodec_open2(enc, c, opts);
            av_dict_free(opts);
            FfmpegException.check("avcodec_open2(" + name + ")", ret);
            FfmpegException.check("avcodec_parameters_from_context", avcodec_parameters_from_context(parameters, enc));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    int width() {
        return width;
    }

    int height() {
        return height;
    }

    boolean hevc() {
        return hevc;
    }

    AVCodecParameters parameters() {
        return parameters;
    }

    AVRational timeBase() {
        return enc.time_base();
    }

    /** Packets encoded so far and not yet taken; the caller frees them. */
    List<AVPacket> packets() {
        return packets;
    }

    /** Scales and encodes one decoded frame; {@code key} forces an IDR frame. */
    void encode(AVFrame src, long pts, boolean key) {
        AVFrame f = scale(src, pts, key);
        try {
            send(f);
        } finally {
            recycle(f);
        }
    }

    /**
     * Scales one decoded frame into a new frame (the caller frees it) carrying {@code pts} and,
     * when {@code key}, the request for an IDR frame. Safe to run on another thread than
     * {@link #send}, one scaling thread at a time.
     */
    AVFrame scale(AVFrame src, long pts, boolean key) {
        sws = sws_getCachedContext(sws, src.width(), src.height(), src.format(), width, height, AV_PIX_FMT_YUV420P,
                SWS_BICUBIC, null, null, (double[]) null);
        if (sws == null || sws.isNull()) {
            throw new FfmpegException("sws_getCachedContext", "cannot scale " + src.width() + "x" + src.height()
                    + " format " + src.format() + " to " + width + "x" + height);
        }
        AVFrame scaled = spare.poll();
        if (scaled == null) {
            scaled = av_frame_alloc();
            scaled.width(width).height(height).format(AV_PIX_FMT_YUV420P);
        }
        int ret = sws_scale_frame(sws, scaled, src);
        if (ret < 0) {
            av_frame_free(scaled);
            throw new FfmpegException("sws_scale_frame", ret);
        }
        scaled.pts(pts);
        scaled.pict_type(key ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE);
        return scaled;
    }

    /**
     * Takes back a scaled frame the encoder is done with (frees it): its picture buffer is kept for
     * a next {@link #scale} when nothing else holds it, as the CLI's filters reuse theirs, rather than
     * allocating (and page-faulting in) a new picture per frame. Safe from another thread than scale.
     */
    void recycle(AVFrame f) {
        if (spare.size() < SPARE && f.buf(0) != null && !f.buf(0).isNull() && av_frame_is_writable(f) != 0
                && f.width() == width && f.height() == height && f.format() == AV_PIX_FMT_YUV420P) {
            // A fresh frame holding only the buffers: no side data or properties of the old one carry over.
            AVFrame n = av_frame_alloc();
            n.width(width).height(height).format(AV_PIX_FMT_YUV420P);
            for (int i = 0; i < AVFrame.AV_NUM_DATA_POINTERS; i++) {
                AVBufferRef b = f.buf(i);
                if (b != null && !b.isNull()) {
                    n.buf(i, av_buffer_ref(b));
                }
                n.data(i, f.data(i));
                n.linesize(i, f.linesize(i));
            }
            spare.add(n);
        }
        av_frame_free(f);
    }

    /** Drains the encoder at the end of a session. */
    void flush() {
        send(null);
    }

    /** Encodes one scaled frame (null drains the encoder); packets collect in {@link #packets()}. */
    void send(AVFrame f) {
        int ret = avcodec_send_frame(enc, f);
        if (ret < 0 && ret != AVERROR_EOF) {
            throw new FfmpegException("avcodec_send_frame(" + (hevc ? "libx265" : "libx264") + ")", ret);
        }
        while (true) {
            AVPacket p = av_packet_alloc();
            ret = avcodec_receive_packet(enc, p);
            if (ret == AVERROR_EAGAIN() || ret == AVERROR_EOF) {
                av_packet_free(p);
                return;
            }
            if (ret < 0) {
                av_packet_free(p);
                throw new FfmpegException("avcodec_receive_packet", ret);
            }
            packets.add(p);
        }
    }

    @Override
    public void close() {
        for (AVPacket p : packets) {
            av_packet_free(p);
        }
        packets.clear();
        AVFrame f;
        while ((f = spare.poll()) != null) {
            av_frame_free(f);
        }
        if (sws != null) {
            sws_freeContext(sws);
            sws = null;
        }
        avcodec_free_context(enc);
        avcodec_parameters_free(parameters);
    }
}
