package io.tributary.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.tributary.api.stream.AssignmentInfo;
import io.tributary.api.stream.AudioTranscode;
import io.tributary.api.stream.InputConfig;
import io.tributary.api.stream.Size;
import io.tributary.api.stream.StreamConfig;
import io.tributary.api.stream.Transcoder;
import io.tributary.api.stream.VideoRung;

/**
 * A transcoded fake:// stream through a real agent: master playlist, one media playlist per rung
 * with the rung's size and bitrate, keyframes at the same pts on every rung, live MPEG-TS with
 * all rungs or one.
 */
class TranscodeTest {
    static final String NAME = "abr/demo";
    @TempDir
    static Path dir;
    static AgentHarness h;

    @BeforeAll
    static void start() throws Exception {
        h = new AgentHarness(dir.resolve("data"), Map.of());
        Transcoder t = new Transcoder(List.of(
                new VideoRung(500_000L, new Size(480, 270), null, null, null, null),
                new VideoRung(250_000L, new Size(320, -1), "veryfast", null, "h264", null)),
                new AudioTranscode("aac", 64_000L));
        StreamConfig c = new StreamConfig(NAME, null, List.of(new InputConfig("fake://abr?size=640x360&rate=25")), true,
                null, null, null, t, null, 1000, 10, null, null, new AssignmentInfo(1L, 40L, 3L, 10_000L));
        h.run(c);
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            HttpResponse<String> v2 = h.get("/" + NAME + "/v2/index.m3u8");
            return v2.statusCode() == 200 && AgentHarness.countSegments(v2.body()) >= 4
                    && h.get("/" + NAME + "/index.m3u8").statusCode() == 200;
        });
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    @Test
    void masterPlaylistListsEveryRung() throws Exception {
        HttpResponse<String> r = h.get("/" + NAME + "/index.m3u8");
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/vnd.apple.mpegurl");
        String master = r.body();
        assertThat(master).startsWith("#EXTM3U").doesNotContain("#EXTINF");
        List<String> inf = master.lines().filter(l -> l.startsWith("#EXT-X-STREAM-INF:")).toList();
        assertThat(inf).hasSize(2);
        assertThat(inf.get(0)).contains("RESOLUTION=480x270").contains("FRAME-RATE=25.000")
                .containsPattern("CODECS=\"avc1\\.[0-9a-f]{6},mp4a\\.40\\.2\"").containsPattern("BANDWIDTH=\\d+");
        assertThat(inf.get(1)).contains("RESOLUTION=320x180");
        assertThat(AgentHarness.segmentUris(master)).containsExactly("v1/index.m3u8", "v2/index.m3u8");
        var report = h.report(NAME);
        assertThat(report.status()).isEqualTo("running");
        assertThat(report.lastError()).isNull();
        assertThat(report.mediaSequence()).isGreaterThanOrEqualTo(40);
    }

    @Test
    void everyRungHasItsSizeAndBitrateAndContinuesTheAssignedSequence() throws Exception {
        check("v1", 480, 270, 500_000);
        check("v2", 320, 180, 250_000);
    }

    private void check(String rung, int w, int h2, long bitrate) throws Exception {
        String pl = h.get("/" + NAME + "/" + rung + "/index.m3u8").body();
        assertThat(AgentHarness.mediaSequence(pl)).isGreaterThanOrEqualTo(40);
        // Continues the assignment's discontinuity sequence (3), plus the continuation's tag once it slid out.
        assertThat(pl).containsPattern("#EXT-X-DISCONTINUITY-SEQUENCE:[34]\n");
        List<String> segs = AgentHarness.segmentUris(pl);
        // Skip the first segments: the encoder's rate control settles in the first second.
        List<String> tail = segs.subList(Math.max(0, segs.size() - 3), segs.size());
        long bits = 0;
        double seconds = 0;
        for (String s : tail) {
            Path f = fetch(rung, s);
            assertThat(videoStream(f)).isEqualTo("h264," + w + "," + h2);
            for (String line : FfmpegTools.ffprobe("-select_streams", "v:0", "-show_entries", "packet=size", "-of",
                    "csv=p=0", f.toString()).lines().toList()) {
                bits += Long.parseLong(line.trim().replace(",", "")) * 8;
            }
            seconds += duration(pl, s);
        }
        assertThat(FfmpegTools.ffprobe("-show_entries", "stream=codec_name", "-of", "csv=p=0",
                fetch(rung, tail.get(0)).toString())).contains("aac");
        double rate = bits / seconds;
        assertThat(rate).as("video bitrate of %s", rung).isBetween(bitrate * 0.5, bitrate * 1.5);
    }

    @Test
    void segmentsOfEveryRungStartOnAKeyframeAtTheSamePts() throws Exception {
        String p1 = h.get("/" + NAME + "/v1/index.m3u8").body();
        String p2 = h.get("/" + NAME + "/v2/index.m3u8").body();
        List<String> common = new ArrayList<>(AgentHarness.segmentUris(p1));
        common.retainAll(AgentHarness.segmentUris(p2));
        assertThat(common).hasSizeGreaterThanOrEqualTo(3);
        for (String s : common.subList(0, 3)) {
            List<String> k1 = keyframes(fetch("v1", s));
            List<String> k2 = keyframes(fetch("v2", s));
            assertThat(k1).isNotEmpty();
            assertThat(k2).as("keyframe pts of %s", s).isEqualTo(k1);
            assertThat(firstVideoPacket(fetch("v1", s))).startsWith(k1.get(0) + ",K");
            assertThat(firstVideoPacket(fetch("v2", s))).startsWith(k1.get(0) + ",K");
            assertThat(duration(p1, s)).isEqualTo(duration(p2, s));
        }
    }

    @Test
    void liveMpegTsCarriesAllRungsOrTheOneAsked() throws Exception {
        Path all = readLive("/" + NAME + "/mpegts", 200_000);
        String streams = FfmpegTools.ffprobe("-show_entries", "stream=codec_name,width", "-of", "csv=p=0",
                all.toString());
        assertThat(streams).contains("h264,480").contains("h264,320").contains("aac");
        Path one = readLive("/" + NAME + "/mpegts?filter.tracks=v2", 60_000);
        String s2 = FfmpegTools.ffprobe("-show_entries", "stream=codec_name,width", "-of", "csv=p=0", one.toString());
        assertThat(s2).contains("h264,320").doesNotContain("h264,480");
        assertThat(h.get("/" + NAME + "/mpegts?filter.tracks=v9").statusCode()).isEqualTo(404);
    }

    private static Path readLive(String path, int bytes) throws Exception {
        HttpResponse<InputStream> r = h.http.send(HttpRequest.newBuilder(URI.create(h.base() + path))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        byte[] data;
        try (InputStream in = r.body()) {
            data = in.readNBytes(bytes);
        }
        Path f = Files.createTempFile(dir, "live", ".ts");
        Files.write(f, data);
        return f;
    }

    private static Path fetch(String rung, String seg) throws Exception {
        HttpResponse<byte[]> r = h.getBytes("/" + NAME + "/" + rung + "/" + seg);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("video/mp2t");
        Path f = dir.resolve(rung + "-" + seg);
        Files.write(f, r.body());
        return f;
    }

    static List<String> keyframes(Path f) throws Exception {
        return FfmpegTools.ffprobe("-select_streams", "v:0", "-show_entries", "packet=pts_time,flags", "-of", "csv=p=0",
                f.toString()).lines().filter(l -> l.contains(",K")).map(l -> l.substring(0, l.indexOf(','))).toList();
    }

    /** codec,width,height of the first video stream (ffprobe lists a TS stream under its program too). */
    static String videoStream(Path f) throws Exception {
        return FfmpegTools.ffprobe("-select_streams", "v:0", "-show_entries", "stream=codec_name,width,height", "-of",
                "csv=p=0", f.toString()).lines().filter(l -> !l.isBlank()).findFirst().orElse("").trim();
    }

    static long packets(Path f) throws Exception {
        return FfmpegTools.ffprobe("-select_streams", "v:0", "-show_entries", "packet=pts_time", "-of", "csv=p=0",
                f.toString()).lines().filter(l -> !l.isBlank()).count();
    }

    static String firstVideoPacket(Path f) throws Exception {
        return FfmpegTools.ffprobe("-select_streams", "v:0", "-show_entries", "packet=pts_time,flags", "-of", "csv=p=0",
                f.toString()).lines().findFirst().orElse("");
    }

    static double duration(String playlist, String uri) {
        Matcher m = Pattern.compile("#EXTINF:([0-9.]+),\\n(?:#[^\\n]*\\n)*" + Pattern.quote(uri)).matcher(playlist);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }
}
