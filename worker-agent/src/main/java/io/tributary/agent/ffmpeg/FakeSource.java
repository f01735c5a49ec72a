package io.tributary.agent.ffmpeg;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_AAC;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_move_ref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder_by_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_free;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_from_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_packet;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_frame;
import static org.bytedeco.ffmpeg.global.avfilter.av_buffersink_get_frame;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_graph_alloc;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_graph_config;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_graph_free;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_graph_parse_ptr;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EAGAIN;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EXIT;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_FLTP;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_default;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;
import static org.bytedeco.ffmpeg.global.avutil.av_make_q;

import java.util.ArrayDeque;
import java.util.List;

import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avfilter.AVFilterContext;
import org.bytedeco.ffmpeg.avfilter.AVFilterGraph;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * The {@code fake://} input: libavfilter's testsrc2 pattern (it shows a running frame clock) and a
 * beeping sine tone, encoded in-process with libx264 (ultrafast, zerolatency, one thread) and AAC,
 * paced to real time. One keyframe per second so segments can be cut at any whole second.
 */
public final class FakeSource implements PacketSource {
    private static final int SAMPLE_RATE = 48_000;
    private static final int SAMPLES_PER_FRAME = 1024;

    private final Interrupt interrupt;
    private final int rate;
    private AVFilterGraph graph;
    private AVFilterContext videoSink;
    private AVFilterContext audioSink;
    private AVCodecContext videoEnc;
    private AVCodecContext audioEnc;
    private AVCodecParameters videoPar;
    private AVCodecParameters audioPar;
    private final AVFrame frame = av_frame_alloc();
    private final ArrayDeque<AVPacket> ready = new ArrayDeque<>();
    private List<SourceStream> streams;
    private long videoFrames;
    private long audioFrames;
    private long startNanos;

    public FakeSource(int width, int height, int rate, Interrupt interrupt) {
        this.interrupt = interrupt;
        this.rate = rate;
        try {
            open(width, height);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void open(int width, int height) {
        graph = avfilter_graph_alloc();
        String desc = "testsrc2=size=" + width + "x" + height + ":rate=" + rate + ",format=yuv420p,buffersink;"
                + "sine=frequency=880:beep_factor=2:sample_rate=" + SAMPLE_RATE + ":samples_per_frame="
                + SAMPLES_PER_FRAME + ",aformat=sample_fmts=fltp:channel_layouts=stereo,abuffersink";
        try (BytePointer d = new BytePointer(desc)) {
            FfmpegException.check("avfilter_graph_parse_ptr",
                    avfilter_graph_parse_ptr(graph, d, (PointerPointer<?>) null, (PointerPointer<?>) null, null));
        }
        FfmpegException.check("avfilter_graph_config", avfilter_graph_config(graph, null));
        for (int i = 0; i < graph.nb_filters(); i++) {
            AVFilterContext f = graph.filters(i);
            String name = f.filter().name().getString();
            if (name.equals("buffersink")) {
                videoSink = f;
            } else if (name.equals("abuffersink")) {
                audioSink = f;
            }
        }
        if (videoSink == null || audioSink == null) {
            throw new FfmpegException("avfilter_graph_config", "test pattern graph has no sinks");
        }

        AVCodec x264 = avcodec_find_encoder_by_name("libx264");
        if (x264 == null || x264.isNull()) {
            throw new FfmpegException("avcodec_find_encoder_by_name", "libx264 is not in this FFmpeg build");
        }
        videoEnc = avcodec_alloc_context3(x264);
        videoEnc.width(width).height(height).pix_fmt(AV_PIX_FMT_YUV420P).time_base(av_make_q(1, rate))
                .framerate(av_make_q(rate, 1)).gop_size(rate).max_b_frames(0).thread_count(1).bit_rate(0);
        AVDictionary opts = new AVDictionary(null);
        av_dict_set(opts, "preset", "ultrafast", 0);
        av_dict_set(opts, "tune", "zerolatency", 0);
        av_dict_set(opts, "crf", "28", 0);
        int ret = avcodec_open2(videoEnc, x264, opts);
        av_dict_free(opts);
        FfmpegException.check("avcodec_open2(libx264)", ret);

        AVCodec aac = avcodec_find_encoder(AV_CODEC_ID_AAC);
        audioEnc = avcodec_alloc_context3(aac);
        audioEnc.sample_fmt(AV_SAMPLE_FMT_FLTP).sample_rate(SAMPLE_RATE).bit_rate(96_000)
                .time_base(av_make_q(1, SAMPLE_RATE));
        av_channel_layout_default(audioEnc.ch_layout(), 2);
        FfmpegException.check("avcodec_open2(aac)", avcodec_open2(audioEnc, aac, (AVDictionary) null));

        videoPar = avcodec_parameters_alloc();
        audioPar = avcodec_parameters_alloc();
        FfmpegException.check("avcodec_parameters_from_context", avcodec_parameters_from_context(videoPar, videoEnc));
        FfmpegException.check("avcodec_parameters_from_context", avcodec_parameters_from_context(audioPar, audioEnc));
        streams = List.of(
                new SourceStream(0, true, videoPar, videoEnc.time_base(),
                        Tracks.describe("v1", videoPar, av_make_q(rate, 1))),
                new SourceStream(1, false, audioPar, audioEnc.time_base(), Tracks.describe("a1", audioPar, null)));
        startNanos = System.nanoTime();
    }

    @Override
    public List<SourceStream> streams() {
        return streams;
    }

    @Override
    public boolean read(AVPacket pkt) {
        while (ready.isEmpty()) {
            double videoAt = (double) videoFrames / rate;
            double audioAt = (double) audioFrames * SAMPLES_PER_FRAME / SAMPLE_RATE;
            boolean video = videoAt <= audioAt;
            pace(Math.min(videoAt, audioAt));
            AVFilterContext sink = video ? videoSink : audioSink;
            AVCodecContext enc = video ? videoEnc : audioEnc;
            FfmpegException.check("av_buffersink_get_frame", av_buffersink_get_frame(sink, frame));
            if (video) {
                frame.pts(videoFrames++);
            } else {
                frame.pts(audioFrames++ * SAMPLES_PER_FRAME);
            }
            int ret = avcodec_send_frame(enc, frame);
            av_frame_unref(frame);
            FfmpegException.check("avcodec_send_frame", ret);
            while (true) {
                AVPacket out = av_packet_alloc();
                ret = avcodec_receive_packet(enc, out);
                if (ret == AVERROR_EAGAIN()) {
                    av_packet_free(out);
                    break;
                }
                if (ret < 0) {
                    av_packet_free(out);
                    throw new FfmpegException("avcodec_receive_packet", ret);
                }
                out.stream_index(video ? 0 : 1);
                ready.add(out);
            }
        }
        AVPacket next = ready.poll();
        av_packet_move_ref(pkt, next);
        av_packet_free(next);
        return true;
    }

    /** Waits until wall time reaches {@code seconds} after the start, so the pattern plays in real time. */
    private void pace(double seconds) {
        long due = startNanos + (long) (seconds * 1e9);
        while (true) {
            if (interrupt.interrupted()) {
                throw new FfmpegException("fake source", AVERROR_EXIT);
            }
            long wait = due - System.nanoTime();
            if (wait <= 0) {
                return;
            }
            try {
                Thread.sleep(Math.min(50, Math.max(1, wait / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FfmpegException("fake source", AVERROR_EXIT);
            }
        }
    }

    @Override
    public void close() {
        for (AVPacket p : ready) {
            av_packet_free(p);
        }
        ready.clear();
        if (videoEnc != null) {
            avcodec_free_context(videoEnc);
            videoEnc = null;
        }
        if (audioEnc != null) {
            avcodec_free_context(audioEnc);
            audioEnc = null;
        }
        if (videoPar != null) {
            avcodec_parameters_free(videoPar);
            videoPar = null;
        }
        if (audioPar != null) {
            avcodec_parameters_free(audioPar);
            audioPar = null;
        }
        if (graph != null) {
            avfilter_graph_free(graph);
            graph = null;
        }
        av_frame_free(frame);
    }
}
