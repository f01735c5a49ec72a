package io.tributary.agent.dvr;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_MJPEG;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_to_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_packet;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_find_stream_info;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ420P;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_get_buffer;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BICUBIC;
import static org.bytedeco.ffmpeg.global.swscale.sws_freeContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale;

import java.nio.file.Path;

import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVInputFormat;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.PointerPointer;

import io.tributary.agent.ffmpeg.FfmpegException;

/** A JPEG of the first picture of a recorded segment: decoded with libavcodec, scaled, encoded with mjpeg. */
public final class Thumbnail {
    /** Width of thumbnails; the height keeps the picture's aspect ratio. */
    public static final int WIDTH = 320;

    private Thumbnail() {
    }

    public static byte[] of(Path segment) {
        AVFormatContext ic = new AVFormatContext(null);
        FfmpegException.check("avformat_open_input",
                avformat_open_input(ic, segment.toString(), (AVInputFormat) null, (AVDictionary) null));
        AVCodecContext dec = null;
        AVPacket pkt = av_packet_alloc();
        AVFrame frame = av_frame_alloc();
        try {
            FfmpegException.check("avformat_find_stream_info", avformat_find_stream_info(ic, (PointerPointer<?>) null));
            int v = -1;
            for (int i = 0; i < ic.nb_streams(); i++) {
                if (ic.streams(i).codecpar().codec_type() == AVMEDIA_TYPE_VIDEO) {
                    v = i;
                    break;
                }
            }
            if (v < 0) {
                throw new FfmpegException("thumbnail", "no video in the recording");
            }
            AVCodec codec = avcodec_find_decoder(ic.streams(v).codecpar().codec_id());
            if (codec == null) {
                throw new FfmpegException("avcodec_find_decoder", "no decoder for the recorded video");
            }
            dec = avcodec_alloc_context3(codec);
            FfmpegException.check("avcodec_parameters_to_context",
                    avcodec_parameters_to_context(dec, ic.streams(v).codecpar()));
            FfmpegException.check("avcodec_open2", avcodec_open2(dec, codec, (AVDictionary) null));
            boolean got = false;
            while (!got && av_read_frame(ic, pkt) >= 0) {
                if (pkt.stream_index() == v && avcodec_send_packet(dec, pkt) >= 0) {
                    got = avcodec_receive_frame(dec, frame) >= 0;
                }
                av_packet_unref(pkt);
            }
            if (!got) {
                avcodec_send_packet(dec, null);
                got = avcodec_receive_frame(dec, frame) >= 0;
            }
            if (!got) {
                throw new FfmpegException("avcodec_receive_frame", "no picture could be decoded");
            }
            return encode(frame);
        } finally {
            av_frame_free(frame);
            av_packet_free(pkt);
            if (dec != null) {
                avcodec_free_context(dec);
            }
            avformat_close_input(ic);
        }
    }

    private static byte[] encode(AVFrame src) {
        int w = WIDTH;
        int h = Math.max(2, (int) Math.round((double) src.height() * w / src.width()) & ~1);
        SwsContext sws = sws_getContext(src.width(), src.height(), src.format(), w, h, AV_PIX_FMT_YUVJ420P, SWS_BICUBIC,
                null, null, (DoublePointer) null);
        if (sws == null) {
            throw new FfmpegException("sws_getContext", "cannot scale " + src.width() + "x" + src.height());
        }
        AVFrame dst = av_frame_alloc();
        AVCodecContext enc = null;
        AVPacket pkt = av_packet_alloc();
        try {
            dst.width(w).height(h).format(AV_PIX_FMT_YUVJ420P);
            FfmpegException.check("av_frame_get_buffer", av_frame_get_buffer(dst, 0));
            sws_scale(sws, src.data(), src.linesize(), 0, src.height(), dst.data(), dst.linesize());
            AVCodec codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
            enc = avcodec_alloc_context3(codec);
            enc.width(w).height(h).pix_fmt(AV_PIX_FMT_YUVJ420P);
            enc.time_base().num(1).den(25);
            FfmpegException.check("avcodec_open2 mjpeg", avcodec_open2(enc, codec, (AVDictionary) null));
            dst.pts(0);
            FfmpegException.check("avcodec_send_frame", avcodec_send_frame(enc, dst));
            FfmpegException.check("avcodec_receive_packet", avcodec_receive_packet(enc, pkt));
            byte[] out = new byte[pkt.size()];
            pkt.data().get(out);
            return out;
        } finally {
            av_packet_free(pkt);
            if (enc != null) {
                avcodec_free_context(enc);
            }
            av_frame_free(dst);
            sws_freeContext(sws);
        }
    }
}
