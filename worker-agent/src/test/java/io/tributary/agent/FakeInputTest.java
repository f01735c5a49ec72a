package io.tributary.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.tributary.api.stream.InputConfig;

/** fake:// through the whole pipeline: HLS playlist and segments a real ffprobe accepts. */
class FakeInputTest {
    @TempDir
    static Path dir;
    static AgentHarness h;

    @BeforeAll
    static void start() throws Exception {
        h = new AgentHarness(dir.resolve("data"), Map.of());
        h.run(AgentHarness.stream("demo/fake", 1000, new InputConfig("fake://demo?size=320x180&rate=25")));
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    @Test
    void servesALivePlaylistWhoseSegmentsStartOnKeyframes() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            HttpResponse<String> r = h.get("/demo/fake/index.m3u8");
            return r.statusCode() == 200 && AgentHarness.countSegments(r.body()) >= 3;
        });
        HttpResponse<String> r = h.get("/demo/fake/index.m3u8");
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/vnd.apple.mpegurl");
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-cache");
        String pl = r.body();
        assertThat(pl).startsWith("#EXTM3U").contains("#EXT-X-PROGRAM-DATE-TIME:");
        int target = Integer.parseInt(pl.replaceAll("(?s).*#EXT-X-TARGETDURATION:(\\d+).*", "$1"));
        pl.lines().filter(l -> l.startsWith("#EXTINF:")).forEach(l -> {
            double d = Double.parseDouble(l.substring(8, l.indexOf(',')));
            assertThat(Math.round(d)).isLessThanOrEqualTo(target);
            assertThat(d).isGreaterThan(0.5);
        });
        String seg = AgentHarness.segmentUris(pl).get(0);
        HttpResponse<byte[]> s = h.getBytes("/demo/fake/" + seg);
        assertThat(s.statusCode()).isEqualTo(200);
        assertThat(s.headers().firstValue("Content-Type")).hasValue("video/mp2t");
        assertThat(s.body()[0]).isEqualTo((byte) 0x47);
        Path f = dir.resolve("seg.ts");
        Files.write(f, s.body());
        String first = FfmpegTools.ffprobe("-select_streams", "v:0", "-show_entries", "packet=flags", "-of",
                "csv=p=0", f.toString()).lines().findFirst().orElse("");
        assertThat(first).startsWith("K");
        String streams = FfmpegTools.ffprobe("-show_entries", "stream=codec_name,width", "-of", "csv=p=0",
                f.toString());
        assertThat(streams).contains("h264,320").contains("aac");

        var report = h.report("demo/fake");
        assertThat(report.status()).isEqualTo("running");
        assertThat(report.hasSegment()).isTrue();
        assertThat(report.activeInput()).startsWith("fake://");
        assertThat(report.mediaInfo().tracks()).extracting("codec").contains("h264", "aac");
        assertThat(report.bitrateIn()).isNotNull();
    }

    @Test
    void mediaSequenceOnlyGrows() throws Exception {
        long last = -1;
        for (int i = 0; i < 4; i++) {
            long before = last;
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                HttpResponse<String> r = h.get("/demo/fake/index.m3u8");
                return r.statusCode() == 200 && AgentHarness.mediaSequence(r.body()) > before;
            });
            last = AgentHarness.mediaSequence(h.get("/demo/fake/index.m3u8").body());
            assertThat(last).isGreaterThan(before);
        }
    }
}
