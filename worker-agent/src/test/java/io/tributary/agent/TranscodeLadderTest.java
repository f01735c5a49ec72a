package io.tributary.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.tributary.agent.ffmpeg.DemuxSource;
import io.tributary.agent.ffmpeg.Natives;
import io.tributary.agent.ffmpeg.SourceStream;
import io.tributary.agent.hls.HlsOutput;
import io.tributary.agent.ingest.StreamOutput;
import io.tributary.agent.transcode.Ladder;
import io.tributary.api.stream.AudioTranscode;
import io.tributary.api.stream.InputConfig;
import io.tributary.api.stream.Size;
import io.tributary.api.stream.StreamConfig;
import io.tributary.api.stream.Transcoder;
import io.tributary.api.stream.VideoRung;

/**
 * The ladder on generated files read as fast as they decode: a source that changes resolution
 * mid-stream, overload detection with an injected clock, a rung larger than the source.
 */
class TranscodeLadderTest {
    @TempDir
    static Path dir;
    static Path small;
    static Path longer;
    static Path changing;

    @BeforeAll
    static void media() throws Exception {
        Natives.load("error");
        small = dir.resolve("a.ts");
        FfmpegTools.ffmpegRun(FfmpegTools.args(source("640x360", 2), "-y", small.toString()));
        // Long enough that the encoder threads deliver output while the file is still being fed,
        // which is when the ladder measures its progress against the clock.
        longer = dir.resolve("long.ts");
        FfmpegTools.ffmpegRun(FfmpegTools.args(source("320x180", 12), "-y", longer.toString()));
        Path b = dir.resolve("b.ts");
        FfmpegTools.ffmpegRun(FfmpegTools.args(source("480x270", 2), "-output_ts_offset", "2", "-y", b.toString()));
        changing = dir.resolve("changing.ts");
        try (OutputStream out = Files.newOutputStream(changing)) {
            out.write(Files.readAllBytes(small));
            out.write(Files.readAllBytes(b));
        }
    }

    private static List<String> source(String size, int seconds) {
        return List.of("-f", "lavfi", "-i", "testsrc2=size=" + size + ":rate=25:duration=" + seconds, "-f", "lavfi",
                "-i", "sine=frequency=440:sample_rate=48000:duration=" + seconds, "-c:v", "libx264", "-preset",
                "ultrafast", "-g", "25", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k", "-f", "mpegts");
    }

    record Result(Ladder ladder, StreamOutput output, boolean overloaded, String note, long frames) {
    }

    static Result run(String name, Path file, Transcoder t, LongSupplier nanos) {
        return runIn(dir, name, file, t, nanos);
    }

    /** Feeds a whole file through a ladder as fast as it goes; HLS output under {@code root/name}. */
    static Result runIn(Path root, String name, Path file, Transcoder t, LongSupplier nanos) {
        return runIn(root, name, file, t, nanos, 1000);
    }

    /** As above with segments (and so GOPs) of {@code segmentMs}. */
    static Result runIn(Path root, String name, Path file, Transcoder t, LongSupplier nanos, int segmentMs) {
        HlsOutput hls = new HlsOutput(root.resolve(name), 100, segmentMs, 0, 0, Clock.systemUTC());
        StreamOutput out = new StreamOutput(name, hls, new AtomicLong(), java.time.Clock.systemUTC());
        StreamConfig cfg = new StreamConfig(name, null, List.of(new InputConfig("file://" + file)), true, null, null,
                null, t, null, segmentMs, 100, null, null, null);
        AVPacket pkt = av_packet_alloc();
        try (DemuxSource src = DemuxSource.open("file:" + file, null, Map.of(), () -> false);
                Ladder l = new Ladder(cfg, src.streams(), out, true, nanos, 1000, 2, name + ": ")) {
            List<SourceStream> streams = src.streams();
            while (src.read(pkt)) {
                for (int i = 0; i < streams.size(); i++) {
                    if (streams.get(i).index() == pkt.stream_index()) {
                        l.accept(pkt, i);
                    }
                }
                av_packet_unref(pkt);
            }
            // Read before finish(): draining the encoders at the end is not real-time progress.
            boolean overloaded = l.overloaded();
            l.finish();
            return new Result(l, out, overloaded, l.note(), l.frames());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            av_packet_free(pkt);
        }
    }

    static Transcoder ladder(VideoRung... rungs) {
        return new Transcoder(List.of(rungs), new AudioTranscode("aac", null));
    }

    @Test
    void aSourceThatChangesResolutionKeepsTheLadderRunning() throws Exception {
        Result r = run("change", changing, ladder(new VideoRung(300_000L, new Size(320, 180), null, null, null, null),
                new VideoRung(150_000L, new Size(160, -1), null, null, null, null)), System::nanoTime);
        assertThat(r.frames()).isGreaterThanOrEqualTo(95);
        for (String rung : List.of("v1", "v2")) {
            Path d = dir.resolve("change").resolve(rung);
            String pl = Files.readString(d.resolve("index.m3u8"));
            List<String> segs = AgentHarness.segmentUris(pl);
            assertThat(segs).hasSizeGreaterThanOrEqualTo(3);
            String last = segs.get(segs.size() - 1);
            String expected = rung.equals("v1") ? "h264,320,180" : "h264,160,90";
            assertThat(TranscodeTest.videoStream(d.resolve(last))).isEqualTo(expected);
            assertThat(TranscodeTest.firstVideoPacket(d.resolve(last))).contains(",K");
        }
        assertThat(Files.readString(dir.resolve("change").resolve("index.m3u8")))
                .contains("RESOLUTION=320x180").contains("RESOLUTION=160x90");
    }

    @Test
    void hevcRungsUseLibx265WithTheSameKeyframes() throws Exception {
        run("hevc", small, ladder(new VideoRung(200_000L, new Size(320, 180), null, null, "hevc", null),
                new VideoRung(200_000L, new Size(256, 144), null, null, "h264", null)), System::nanoTime);
        Path d = dir.resolve("hevc");
        List<String> s1 = AgentHarness.segmentUris(Files.readString(d.resolve("v1").resolve("index.m3u8")));
        List<String> s2 = AgentHarness.segmentUris(Files.readString(d.resolve("v2").resolve("index.m3u8")));
        // x265 holds more frames than x264: at the end of the file its last segment ends earlier.
        List<String> common = s1.stream().filter(s2::contains).toList();
        assertThat(common).isNotEmpty();
        assertThat(TranscodeTest.videoStream(d.resolve("v1").resolve(s1.get(0)))).isEqualTo("hevc,320,180");
        for (String s : common) {
            assertThat(TranscodeTest.keyframes(d.resolve("v1").resolve(s)).get(0))
                    .isEqualTo(TranscodeTest.keyframes(d.resolve("v2").resolve(s)).get(0));
        }
        assertThat(Files.readString(d.resolve("index.m3u8"))).containsPattern("CODECS=\"hvc1\\.1\\.6\\.L\\d+\\.B0,mp4a");
    }

    @Test
    void aRungWithFewerFramesKeepsItsKeyframesAligned() throws Exception {
        run("fps", small, ladder(new VideoRung(200_000L, new Size(320, 180), null, null, null, null),
                new VideoRung(100_000L, new Size(160, 90), null, null, null, 12.5)), System::nanoTime);
        Path d = dir.resolve("fps");
        String seg = AgentHarness.segmentUris(Files.readString(d.resolve("v1").resolve("index.m3u8"))).get(0);
        long full = TranscodeTest.packets(d.resolve("v1").resolve(seg));
        long half = TranscodeTest.packets(d.resolve("v2").resolve(seg));
        assertThat(full).isEqualTo(25);
        assertThat(half).isEqualTo(13);
        assertThat(TranscodeTest.keyframes(d.resolve("v2").resolve(seg)))
                .isEqualTo(TranscodeTest.keyframes(d.resolve("v1").resolve(seg)));
        assertThat(Files.readString(d.resolve("index.m3u8"))).contains("FRAME-RATE=12.500").contains("FRAME-RATE=25.000");
    }

    @Test
    void anEncoderSlowerThanRealTimeIsOverloaded() {
        // 80 ms of wall time per 40 ms frame: the encoder keeps only half of real time.
        AtomicLong slow = new AtomicLong();
        Result r = run("slow", longer, ladder(new VideoRung(200_000L, new Size(160, 90), null, null, null, null)),
                () -> slow.addAndGet(80_000_000L));
        assertThat(r.overloaded()).isTrue();
        assertThat(Ladder.OVERLOADED).isEqualTo("transcoder_overloaded");

        AtomicLong fast = new AtomicLong();
        Result ok = run("fast", longer, ladder(new VideoRung(200_000L, new Size(160, 90), null, null, null, null)),
                () -> fast.addAndGet(20_000_000L));
        assertThat(ok.overloaded()).isFalse();
    }

    @Test
    void aRungLargerThanTheSourceIsClampedAndSaysSo() throws Exception {
        Result r = run("large", small, ladder(new VideoRung(500_000L, new Size(1920, 1080), "veryfast", null, null,
                null)), System::nanoTime);
        assertThat(r.note()).contains("transcoder.video[0].size 1920x1080 is larger than the source 640x360")
                .contains("clamped to 640x360");
        Path d = dir.resolve("large").resolve("v1");
        String first = AgentHarness.segmentUris(Files.readString(d.resolve("index.m3u8"))).get(0);
        assertThat(TranscodeTest.videoStream(d.resolve(first))).isEqualTo("h264,640,360");
    }
}
