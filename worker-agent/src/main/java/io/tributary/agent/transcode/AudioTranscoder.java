package io.tributary.agent.transcode;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_AAC;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_free;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_from_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_to_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_packet;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EAGAIN;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_FLTP;
import static org.bytedeco.ffmpeg.global.avutil.av_audio_fifo_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_audio_fifo_free;
import static org.bytedeco.ffmpeg.global.avutil.av_audio_fifo_read;
import static org.bytedeco.ffmpeg.global.avutil.av_audio_fifo_size;
import static org.bytedeco.ffmpeg.global.avutil.av_audio_fifo_write;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_copy;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_get_buffer;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;
import static org.bytedeco.ffmpeg.global.avutil.av_make_q;
import static org.bytedeco.ffmpeg.global.avutil.av_rescale_q;


import java.util.function.Consumer;

import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVAudioFifo;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;

import io.tributary.agent.ffmpeg.FfmpegException;
import io.tributary.agent.ffmpeg.SourceStream;

/**
 * Re-encodes the audio track to AAC (decode, regroup samples into the encoder's frame size,
 * encode). Planar float sources only (what AAC, AC-3 and Opus decoders give); the ladder copies
 * anything else.
 */
final class AudioTranscoder implements AutoCloseable {
    private final AVCodecContext dec;
    private final AVCodecContext enc;
    private final AVCodecParameters parameters = avcodec_parameters_alloc();
    private final AVRational sourceTimeBase;
    private final AVFrame decoded = av_frame_alloc();
    private final AVFrame chunk = av_frame_alloc();
    private AVAudioFifo fifo;
    private long nextPts = AV_NOPTS_VALUE;

    /** Whether this source's decoded audio can be re-encoded here. */
    static boolean supports(SourceStream s) {
        AVCodec d = avcodec_find_decoder(s.parameters().codec_id());
        return d != null && !d.isNull() && s.parameters().sample_rate() > 0
                && s.parameters().ch_layout().nb_channels() > 0
                && (s.parameters().format() == AV_SAMPLE_FMT_FLTP || s.parameters().codec_id() == AV_CODEC_ID_AAC);
    }

    AudioTranscoder(SourceStream source, long bitrate) {
        this.sourceTimeBase = source.timeBase();
        AVCodec d = avcodec_find_decoder(source.parameters().codec_id());
        dec = avcodec_alloc_context3(d);
        AVCodec e = avcodec_find_encoder(AV_CODEC_ID_AAC);
        enc = avcodec_alloc_context3(e);
        try {
            FfmpegException.check("avcodec_parameters_to_context", avcodec_parameters_to_context(dec, source.parameters()));
            dec.pkt_timebase(source.timeBase());
            FfmpegException.check("avcodec_open2(audio decoder)", avcodec_open2(dec, d, (org.bytedeco.ffmpeg.avutil.AVDictionary) null));
            int rate = dec.sample_rate();
            enc.sample_fmt(AV_SAMPLE_FMT_FLTP).sample_rate(rate).bit_rate(bitrate).time_base(av_make_q(1, rate));
            FfmpegException.check("av_channel_layout_copy", av_channel_layout_copy(enc.ch_layout(), dec.ch_layout()));
            FfmpegException.check("avcodec_open2(aac)", avcodec_open2(enc, e, (org.bytedeco.ffmpeg.avutil.AVDictionary) null));
            FfmpegException.check("avcodec_parameters_from_context", avcodec_parameters_from_context(parameters, enc));
            fifo = av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, enc.ch_layout().nb_channels(), enc.frame_size() * 4);
        } catch (RuntimeException ex) {
            close();
            throw ex;
        }
    }

    AVCodecParameters parameters() {
        return parameters;
    }

    AVRational timeBase() {
        return enc.time_base();
    }

    /** Decodes a source packet and hands every AAC packet it completes to {@code out} (which must not keep it). */
    void accept(AVPacket pkt, Consumer<AVPacket> out) {
        int ret = avcodec_send_packet(dec, pkt);
        if (ret < 0) {
            return; // a broken audio packet is dropped, as the CLI does
        }
        while (avcodec_receive_frame(dec, decoded) >= 0) {
            if (decoded.format() != AV_SAMPLE_FMT_FLTP
                    || decoded.ch_layout().nb_channels() != enc.ch_layout().nb_channels()
                    || decoded.sample_rate() != enc.sample_rate()) {
                av_frame_unref(decoded);
                continue; // a format change mid-stream: skip until the capture restarts
            }
            long ts = decoded.best_effort_timestamp();
            if (nextPts == AV_NOPTS_VALUE && ts != AV_NOPTS_VALUE) {
                nextPts = av_rescale_q(ts, sourceTimeBase, enc.time_base());
            }
            av_audio_fifo_write(fifo, decoded.extended_data(), decoded.nb_samples());
            av_frame_unref(decoded);
            drain(out);
        }
    }

    private void drain(Consumer<AVPacket> out) {
        int size = enc.frame_size();
        while (av_audio_fifo_size(fifo) >= size && nextPts != AV_NOPTS_VALUE) {
            av_frame_unref(chunk);
            chunk.nb_samples(size).format(AV_SAMPLE_FMT_FLTP).sample_rate(enc.sample_rate());
            av_channel_layout_copy(chunk.ch_layout(), enc.ch_layout());
            FfmpegException.check("av_frame_get_buffer", av_frame_get_buffer(chunk, 0));
            av_audio_fifo_read(fifo, chunk.extended_data(), size);
            chunk.pts(nextPts);
            nextPts += size;
            FfmpegException.check("avcodec_send_frame(aac)", avcodec_send_frame(enc, chunk));
            AVPacket p = av_packet_alloc();
            try {
                int ret;
                while ((ret = avcodec_receive_packet(enc, p)) >= 0) {
                    out.accept(p);
                    av_packet_unref(p);
                }
                if (ret != AVERROR_EAGAIN() && ret != AVERROR_EOF) {
                    throw new FfmpegException("avcodec_receive_packet(aac)", ret);
                }
            } finally {
                av_packet_free(p);
            }
        }
    }

    @Override
    public void close() {
        if (fifo != null) {
            av_audio_fifo_free(fifo);
            fifo = null;
        }
        av_frame_free(decoded);
        av_frame_free(chunk);
        avcodec_free_context(dec);
        avcodec_free_context(enc);
        avcodec_parameters_free(parameters);
    }

}
