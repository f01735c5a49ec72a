package io.tributary.agent.transcode;

import static org.bytedeco.ffmpeg.global.avcodec.AV_PKT_FLAG_KEY;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_clone;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_ref;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_to_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_clone;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;
import static org.bytedeco.ffmpeg.global.avutil.av_make_q;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;

import io.tributary.agent.ffmpeg.FfmpegException;
import io.tributary.agent.ffmpeg.SourceStream;
import io.tributary.agent.ffmpeg.TsMuxer;
import io.tributary.agent.hls.HlsOutput;
import io.tributary.agent.hls.PlaylistWriter;
import io.tributary.agent.hls.Segmenter;
import io.tributary.agent.ingest.StreamOutput;
import io.tributary.api.stream.AssignmentInfo;
import io.tributary.api.stream.AudioTranscode;
import io.tributary.api.stream.StreamConfig;
import io.tributary.api.stream.Track;
import io.tributary.api.stream.Transcoder;
import io.tributary.api.stream.VideoRung;

/**
 * One session of an ABR ladder: decodes the source video once, scales and encodes every rung on
 * its own thread (see {@link RungWorker}), forces IDR frames on
 * every rung at the same timestamps (each GOP boundary), and cuts every rung's HLS segments at
 * those keyframes, so segments of all rungs start at the same pts. Audio is re-encoded to AAC
 * once (or copied) and muxed into every rung. Also muxes all rungs into the stream's live
 * {@code /mpegts}, and writes the master playlist. Fed by the capture thread.
 */
public final class Ladder implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Ladder.class.getName());
    /** Encoder threads per rung: two frame threads suit the 2-core servers this runs on. */
    public static final int DEFAULT_THREADS = 2;
    public static final String OVERLOADED = "transcoder_overloaded";
    /** Wall time over which encoded media time is compared with real time. */
    public static final long DEFAULT_OVERLOAD_WINDOW_MS = 10_000;
    private static final long DEFAULT_AUDIO_BITRATE = 128_000;
    private static final int MAX_AUDIO_QUEUE = 1_000;

    private final StreamConfig config;
    private final Transcoder transcoder;
    private final StreamOutput output;
    private final List<RungOutput> rungOutputs = new ArrayList<>();
    private final LongSupplier nanos;
    private final OverloadDetector overload;
    private final int threads;
    private final String logPrefix;
    private final SourceStream video;
    private final SourceStream audio;
    private final int videoIndex;
    private final int audioIndex;
    private final double fps;
    private final AVCodecContext dec;
    private final AVFrame frame = av_frame_alloc();
    private final AVPacket scratch = av_packet_alloc();
    private AudioTranscoder audioEnc;
    private SourceStream audioOut;

    private final List<Rung> rungs = new ArrayList<>();
    private TsMuxer all;
    private boolean started;
    private long baseMs = Long.MIN_VALUE;
    private volatile String note;
    private volatile int segments;
    private boolean masterWritten;
    private long frames;

    /** One rung's encoder and its muxing state in this session. */
    private final class Rung {
        final int index;
        final VideoRung config;
        final RungOutput out;
        RungEncoder encoder;
        RungWorker worker;
        long lastOutMs = Long.MIN_VALUE;
        TsMuxer mux;
        final Segmenter segmenter;
        final ArrayDeque<AVPacket> audioQueue = new ArrayDeque<>();
        long gopMs;
        long lastGop = Long.MIN_VALUE;
        /** Output frame rate when the rung asks for fewer frames than the source has, else 0. */
        double fpsOut;
        long lastSlot = Long.MIN_VALUE;
        String codecs;

        Rung(int index, VideoRung config, RungOutput out) {
            this.index = index;
            this.config = config;
            this.out = out;
            this.segmenter = new Segmenter(Ladder.this.config.segmentDurationOrDefault());
        }
    }

    /**
     * @param streams   the source's streams (as the capture maps them)
     * @param newCapture whether this is the first session of a new capture (continue the rung playlists
     *                  from the assignment's media sequence, as the stream's own playlist does)
     * @param nanos     the wall clock for overload detection
     */
    public Ladder(StreamConfig config, List<SourceStream> streams, StreamOutput output, boolean newCapture,
            LongSupplier nanos, long overloadWindowMs, int threads, String logPrefix) {
        this.config = config;
        this.transcoder = config.transcoder();
        this.output = output;
        this.nanos = nanos;
        this.overload = new OverloadDetector(overloadWindowMs, 0.9);
        this.threads = threads;
        this.logPrefix = logPrefix;
        int vi = -1;
        int ai = -1;
        for (int i = 0; i < streams.size(); i++) {
            if (streams.get(i).video() && vi < 0) {
                vi = i;
            } else if (!streams.get(i).video() && ai < 0) {
                ai = i;
            }
        }
        if (vi < 0) {
            throw new FfmpegException("transcoder", "the source has no video track to transcode");
        }
        videoIndex = vi;
        audioIndex = ai;
        video = streams.get(vi);
        audio = ai < 0 ? null : streams.get(ai);
        Double f = video.track().fps();
        fps = f != null && f > 0 && f < 1000 ? f : 25.0;
        AVCodec d = avcodec_find_decoder(video.parameters().codec_id());
        if (d == null || d.isNull()) {
            throw new FfmpegException("avcodec_find_decoder", "no decoder for " + video.track().codec());
        }
        dec = avcodec_alloc_context3(d);
        try {
            FfmpegException.check("avcodec_parameters_to_context", avcodec_parameters_to_context(dec, video.parameters()));
            dec.pkt_timebase(video.timeBase());
            dec.thread_count(threads);
            FfmpegException.check("avcodec_open2(video decoder)", avcodec_open2(dec, d, (org.bytedeco.ffmpeg.avutil.AVDictionary) null));
            List<VideoRung> ladder = transcoder.video() == null || transcoder.video().isEmpty()
                    ? List.of(new VideoRung(null, null, null, null, null, null)) : transcoder.video();
            for (int i = 0; i < ladder.size(); i++) {
                rungs.add(new Rung(i, ladder.get(i), rungOutput(i, newCapture)));
            }
            AudioTranscode a = transcoder.audio();
            if (audio != null) {
                boolean copy = a != null && "copy".equals(a.codec());
                if (!copy && AudioTranscoder.supports(audio)) {
                    audioEnc = new AudioTranscoder(audio,
                            a != null && a.bitrate() != null ? a.bitrate() : DEFAULT_AUDIO_BITRATE);
                    audioOut = new SourceStream(1, false, audioEnc.parameters(), audioEnc.timeBase(),
                            new Track("a1", "audio", "aac", null, null, null, null, null, null));
                } else {
                    if (!copy) {
                        LOG.log(Level.WARNING, logPrefix + "cannot re-encode audio " + audio.track().codec() + ": copied");
                    }
                    audioOut = new SourceStream(1, false, audio.parameters(), audio.timeBase(), audio.track());
                }
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        for (Rung r : rungs) {
            r.out.hls().markDiscontinuity();
        }
    }

    private RungOutput rungOutput(int i, boolean newCapture) {
        String id = "v" + (i + 1);
        AssignmentInfo a = config.assignment();
        long first = a == null || a.mediaSequence() == null ? 0 : a.mediaSequence();
        long disc = a == null || a.discontinuitySequence() == null ? 0 : a.discontinuitySequence();
        RungOutput existing = output.rung(id);
        if (existing != null) {
            if (newCapture) {
                existing.hls().restart(first, disc, config.segmentDurationOrDefault());
            }
            return existing;
        }
        Path dir = output.hls().directory().resolve(id);
        return output.addRung(id, dir, config.segmentCountOrDefault(), config.segmentDurationOrDefault(), first, disc);
    }

    /** Takes one packet of source stream {@code index}; the caller keeps ownership of it. */
    public void accept(AVPacket pkt, int index) throws IOException {
        if (index == videoIndex) {
            decode(pkt);
        } else if (index == audioIndex && started) {
            if (audioEnc != null) {
                audioEnc.accept(pkt, this::queueAudio);
            } else {
                queueAudio(pkt);
            }
        }
    }

    private void decode(AVPacket pkt) throws IOException {
        int ret = avcodec_send_packet(dec, pkt);
        if (ret < 0) {
            return; // a corrupt packet: the decoder resynchronizes on the next keyframe
        }
        while (avcodec_receive_frame(dec, frame) >= 0) {
            try {
                long ts = frame.best_effort_timestamp();
                if (ts != AV_NOPTS_VALUE) {
                    onFrame(ts);
                }
            } finally {
                av_frame_unref(frame);
            }
        }
    }

    private void onFrame(long ts) throws IOException {
        if (!started) {
            start(frame.width(), frame.height());
        }
        long ptsMs = toMs(ts, video.timeBase());
        if (baseMs == Long.MIN_VALUE || ptsMs < baseMs) {
            baseMs = ptsMs;
            for (Rung r : rungs) {
                r.lastGop = Long.MIN_VALUE;
                r.lastSlot = Long.MIN_VALUE;
            }
        }
        boolean[] key = new boolean[rungs.size()];
        boolean[] keep = new boolean[rungs.size()];
        // Half a source frame of tolerance so jitter in source timestamps does not move a decision.
        long elapsed = ptsMs - baseMs + (long) (500 / fps);
        for (Rung r : rungs) {
            if (r.fpsOut > 0) {
                // Fewer frames: keep a frame when it starts a new output frame slot. A GOP boundary
                // is a whole number of slots, so kept keyframes stay aligned with the other rungs.
                long slot = (long) Math.floor(elapsed * r.fpsOut / 1000.0);
                if (slot == r.lastSlot) {
                    continue;
                }
                r.lastSlot = slot;
            }
            keep[r.index] = true;
            long gop = elapsed / r.gopMs;
            key[r.index] = gop != r.lastGop;
            r.lastGop = gop;
        }
        for (Rung r : rungs) {
            if (!keep[r.index]) {
                continue;
            }
            AVFrame ref = av_frame_clone(frame);
            if (ref == null || ref.isNull()) {
                throw new FfmpegException("av_frame_clone", "out of memory");
            }
            r.worker.submit(ref, ts, key[r.index]);
        }
        frames++;
        drainEncoded();
    }

    /** Muxes what the rung threads encoded so far, and measures how far the slowest rung got. */
    private void drainEncoded() throws IOException {
        long slowest = Long.MAX_VALUE;
        for (Rung r : rungs) {
            AVPacket p;
            while ((p = r.worker.poll()) != null) {
                try {
                    onVideoPacket(r, p);
                } finally {
                    av_packet_free(p);
                }
            }
            slowest = Math.min(slowest, r.lastOutMs);
        }
        if (slowest != Long.MIN_VALUE) {
            overload.onProgress(slowest, nanos.getAsLong());
        }
    }

    /** Opens the encoders and muxers once the first frame tells the source size. */
    private void start(int srcW, int srcH) {
        AVRational frameRate = av_make_q((int) Math.round(fps * 1000), 1000);
        List<String> notes = new ArrayList<>();
        List<SourceStream> allStreams = new ArrayList<>();
        for (Rung r : rungs) {
            VideoRung c = r.config;
            LadderPlan.Dimensions size = LadderPlan.size(c.size(), srcW, srcH, "transcoder.video[" + r.index + "].size");
            if (size.note() != null) {
                notes.add(size.note());
            }
            double rungFps = c.fps() != null && c.fps() > 0 && c.fps() < fps - 0.01 ? c.fps() : fps;
            r.fpsOut = rungFps < fps ? rungFps : 0;
            int gopFrames = LadderPlan.gopFrames(c, rungFps, config.segmentDurationOrDefault());
            // Without an explicit gop every rung's GOP is one segment long, whatever its frame rate.
            r.gopMs = c.gop() == null ? config.segmentDurationOrDefault()
                    : Math.max(1, Math.round(gopFrames * 1000.0 / rungFps));
            long bitrate = c.bitrate() != null ? c.bitrate() : 1_000_000L;
            r.encoder = new RungEncoder(size.width(), size.height(), c.codec() == null ? "h264" : c.codec(),
                    c.preset() == null ? "veryfast" : c.preset(), bitrate, gopFrames, video.timeBase(),
                    r.fpsOut > 0 ? av_make_q((int) Math.round(rungFps * 1000), 1000) : frameRate, threads);
            Track t = new Track(r.out.id(), "video", r.encoder.hevc() ? "hevc" : "h264", size.width(), size.height(),
                    rungFps, null, null, bitrate);
            SourceStream vs = new SourceStream(0, true, r.encoder.parameters(), r.encoder.timeBase(), t);
            List<SourceStream> muxed = new ArrayList<>(List.of(vs));
            if (audioOut != null) {
                muxed.add(audioOut);
            }
            r.worker = new RungWorker(r.encoder, r.out.id() + "-" + config.name());
            RungOutput ro = r.out;
            r.mux = new TsMuxer(muxed, bytes -> {
                try {
                    ro.hls().write(bytes);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write segment of " + config.name() + "/" + ro.id(), e);
                }
                ro.fanout().publish(bytes);
            });
            allStreams.add(vs);
        }
        if (audioOut != null) {
            allStreams.add(audioOut);
        }
        all = new TsMuxer(allStreams, bytes -> {
            output.muxed().add(bytes.length);
            output.fanout().publish(bytes);
        });
        note = notes.isEmpty() ? null : String.join("; ", notes);
        if (note != null) {
            LOG.log(Level.WARNING, logPrefix + note);
        }
        started = true;
    }

    private void onVideoPacket(Rung r, AVPacket p) throws IOException {
        long ptsMs = toMs(p.pts() != AV_NOPTS_VALUE ? p.pts() : p.dts(), r.encoder.timeBase());
        r.lastOutMs = Math.max(r.lastOutMs, ptsMs);
        boolean key = (p.flags() & AV_PKT_FLAG_KEY) != 0;
        if (key && r.codecs == null) {
            byte[] data = new byte[p.size()];
            p.data().get(data);
            String v = LadderPlan.codecString(data, r.encoder.hevc());
            r.codecs = v == null ? (r.encoder.hevc() ? LadderPlan.hvc1(120) : "avc1.64001f") : v;
        }
        long durMs = p.duration() > 0 ? toMs(p.duration(), r.encoder.timeBase()) : 0;
        HlsOutput hls = r.out.hls();
        switch (r.segmenter.onPacket(ptsMs, durMs, key)) {
            case SKIP -> {
                return;
            }
            case START -> {
                r.mux.cut();
                hls.startSegment();
            }
            case CUT -> {
                r.mux.cut();
                long d = r.segmenter.cut(ptsMs, durMs);
                hls.finishSegment(d / 1000.0);
                hls.startSegment();
                if (r.index == 0) {
                    segments++;
                }
                writeMaster();
            }
            default -> {
            }
        }
        long dtsMs = toMs(p.dts() != AV_NOPTS_VALUE ? p.dts() : p.pts(), r.encoder.timeBase());
        flushAudio(r, dtsMs);
        write(r.mux, p, 0);
        write(all, p, r.index);
    }

    /** Audio goes to each rung as far as that rung's video went, so segments hold matching audio and video. */
    private void queueAudio(AVPacket p) {
        for (Rung r : rungs) {
            r.audioQueue.addLast(av_packet_clone(p));
            while (r.audioQueue.size() > MAX_AUDIO_QUEUE) {
                av_packet_free(r.audioQueue.removeFirst());
            }
        }
    }

    private void flushAudio(Rung r, long untilMs) {
        while (!r.audioQueue.isEmpty()) {
            AVPacket a = r.audioQueue.peekFirst();
            long ts = a.pts() != AV_NOPTS_VALUE ? a.pts() : a.dts();
            if (ts != AV_NOPTS_VALUE && toMs(ts, audioOut.timeBase()) > untilMs) {
                return;
            }
            r.audioQueue.removeFirst();
            try {
                write(r.mux, a, 1);
                if (r.index == 0) {
                    write(all, a, rungs.size());
                }
            } finally {
                av_packet_free(a);
            }
        }
    }

    private void write(TsMuxer mux, AVPacket p, int index) {
        FfmpegException.check("av_packet_ref", av_packet_ref(scratch, p));
        try {
            mux.write(scratch, index);
        } finally {
            av_packet_unref(scratch);
        }
    }

    private void writeMaster() throws IOException {
        if (masterWritten) {
            return;
        }
        List<MasterPlaylist.Variant> variants = new ArrayList<>();
        long audioBitrate = audioOut == null ? 0
                : audioEnc != null ? audioEnc.parameters().bit_rate()
                : Math.max(0, audio.parameters().bit_rate());
        String audioCodec = audioOut == null ? null
                : audioEnc != null || "aac".equals(audio.track().codec()) ? "mp4a.40.2" : null;
        for (Rung r : rungs) {
            if (r.codecs == null || !r.out.hls().hasSegment()) {
                return;
            }
            long bitrate = r.config.bitrate() != null ? r.config.bitrate() : 1_000_000L;
            // Peak rate the encoder allows (maxrate) plus audio and about 5% of MPEG-TS overhead.
            long bandwidth = (bitrate * 3 / 2 + audioBitrate) * 105 / 100;
            String codecs = audioCodec == null ? r.codecs : r.codecs + "," + audioCodec;
            variants.add(new MasterPlaylist.Variant(bandwidth, r.encoder.width(), r.encoder.height(), codecs,
                    r.fpsOut > 0 ? r.fpsOut : fps,
                    r.out.id() + "/" + HlsOutput.PLAYLIST));
        }
        PlaylistWriter.writeAtomically(output.hls().directory().resolve(HlsOutput.PLAYLIST),
                MasterPlaylist.render(variants));
        masterWritten = true;
    }

    /** The input ended: encodes what the encoders still hold, so the last segments are complete. */
    public void finish() throws IOException {
        if (!started) {
            return;
        }
        // All rungs drain their encoders at the same time.
        for (Rung r : rungs) {
            r.worker.startFlush();
        }
        for (Rung r : rungs) {
            r.worker.awaitFlush();
        }
        drainEncoded();
        if (audioOut != null) {
            for (Rung r : rungs) {
                flushAudio(r, Long.MAX_VALUE);
            }
        }
    }

    /** Segments rung 1 finished in this session. */
    public int segments() {
        return segments;
    }

    public long frames() {
        return frames;
    }

    public boolean overloaded() {
        return overload.overloaded();
    }

    public double realTimeRatio() {
        return overload.ratio();
    }

    /** A warning about the ladder (a size clamped to the source), or null. */
    public String note() {
        return note;
    }

    private static long toMs(long ts, AVRational tb) {
        return ts * 1000L * tb.num() / tb.den();
    }

    /** Closes the open segment of every rung (listing it when it holds media) and frees everything. */
    @Override
    public void close() {
        for (Rung r : rungs) {
            try {
                if (r.worker != null) {
                    drainEncoded();
                }
                if (r.segmenter.isOpen() && r.mux != null) {
                    r.mux.cut();
                    long d = r.segmenter.openDurationMs();
                    if (d > 0) {
                        r.out.hls().finishSegment(d / 1000.0);
                    } else {
                        r.out.hls().abortSegment();
                    }
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, logPrefix + "cannot close the last segment of " + r.out.id() + ": " + e);
            }
        }
        try {
            writeMaster();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, logPrefix + "cannot write the master playlist: " + e);
        }
        for (Rung r : rungs) {
            if (r.worker != null) {
                r.worker.close();
            } else if (r.encoder != null) {
                r.encoder.close();
            }
            if (r.mux != null) {
                r.mux.close();
            }
            for (AVPacket p : r.audioQueue) {
                av_packet_free(p);
            }
            r.audioQueue.clear();
        }
        if (all != null) {
            all.close();
        }
        if (audioEnc != null) {
            audioEnc.close();
        }
        av_packet_free(scratch);
        av_frame_free(frame);
        avcodec_free_context(dec);
    }
}
