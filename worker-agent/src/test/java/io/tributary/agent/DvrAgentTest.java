package io.tributary.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.tributary.api.Json;
import io.tributary.api.stream.AssignmentInfo;
import io.tributary.api.stream.Dvr;
import io.tributary.api.stream.InputConfig;
import io.tributary.api.stream.StreamConfig;

/**
 * DVR on one real agent recording a fake:// stream with 1 s segments: archive playlist, archive
 * segments, MP4 export probed by ffprobe, thumbnail, recording status, bad URLs, the index after a
 * restart of the agent, and a full DVR disk while live HLS goes on.
 */
class DvrAgentTest {
    @TempDir
    Path dir;

    static StreamConfig recorded(String name, Dvr dvr) {
        return new StreamConfig(name, null, List.of(new InputConfig("fake://dvr?size=320x180&rate=25")), true, null,
                null, null, null, dvr, 1000, 4, null, null, new AssignmentInfo(1L, 0L, 0L, 10_000L));
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.mapper().readTree(r.body());
    }

    @Test
    void recordsPlaysExportsAndSurvivesARestart() throws Exception {
        Path data = dir.resolve("data");
        Map<String, String> env = Map.of("TRIBUTARY_DVR_MIN_FREE", "0", "TRIBUTARY_DVR_MAX_DURATION", "3600",
                "TRIBUTARY_DVR_MAX_EXPORT", "600");
        long from;
        String playlist;
        try (AgentHarness h = new AgentHarness(data, env)) {
            h.run(recorded("dvr/cam", new Dvr(3600L, null, null)));
            await().atMost(Duration.ofSeconds(40)).until(() -> {
                HttpResponse<String> r = get(h, "/dvr/cam/recording_status.json");
                return r.statusCode() == 200 && json(r).path("depth").asLong() >= 7;
            });
            JsonNode st = json(get(h, "/dvr/cam/recording_status.json"));
            from = st.get("from").asLong();
            assertThat(st.get("ranges")).hasSize(1);
            assertThat(st.get("ranges").get(0).get(0).asLong()).isEqualTo(from);
            assertThat(st.get("bytes").asLong()).isPositive();
            long nowS = System.currentTimeMillis() / 1000;
            assertThat(from).isBetween(nowS - 60, nowS);

            // VOD archive playlist: ENDLIST, a program date per segment, durations covering the range
            HttpResponse<String> pr = get(h, "/dvr/cam/archive-" + (from + 1) + "-5.m3u8");
            assertThat(pr.statusCode()).isEqualTo(200);
            assertThat(pr.headers().firstValue("Content-Type")).hasValue("application/vnd.apple.mpegurl");
            playlist = pr.body();
            assertThat(playlist).contains("#EXT-X-PLAYLIST-TYPE:VOD").endsWith("#EXT-X-ENDLIST\n");
            List<String> uris = AgentHarness.segmentUris(playlist);
            assertThat(playlist.lines().filter(l -> l.startsWith("#EXT-X-PROGRAM-DATE-TIME:")).count())
                    .isEqualTo(uris.size());
            double total = playlist.lines().filter(l -> l.startsWith("#EXTINF:"))
                    .mapToDouble(l -> Double.parseDouble(l.substring(8, l.indexOf(',')))).sum();
            assertThat(total).isBetween(5.0, 8.0);
            HttpResponse<byte[]> seg = bytes(h, "/dvr/cam/" + uris.get(0));
            assertThat(seg.statusCode()).isEqualTo(200);
            assertThat(seg.headers().firstValue("Content-Type")).hasValue("video/mp2t");
            assertThat(seg.body()[0]).isEqualTo((byte) 0x47);

            // event playlist grows: no ENDLIST
            assertThat(get(h, "/dvr/cam/archive-" + from + "-now.m3u8").body()).contains("#EXT-X-PLAYLIST-TYPE:EVENT")
                    .doesNotContain("#EXT-X-ENDLIST");

            // MP4 export: seekable (moov before mdat), the source's codecs and size, about the asked duration
            HttpResponse<byte[]> mp4 = bytes(h, "/dvr/cam/archive-" + (from + 1) + "-5.mp4");
            assertThat(mp4.statusCode()).isEqualTo(200);
            assertThat(mp4.headers().firstValue("Content-Type")).hasValue("video/mp4");
            String head = new String(mp4.body(), 0, Math.min(mp4.body().length, 64 * 1024), StandardCharsets.ISO_8859_1);
            assertThat(head.indexOf("moov")).isPositive().isLessThan(head.indexOf("mdat") < 0 ? Integer.MAX_VALUE
                    : head.indexOf("mdat"));
            Path f = dir.resolve("export.mp4");
            Files.write(f, mp4.body());
            String probe = FfmpegTools.ffprobe("-show_entries", "stream=codec_name,width,height:format=duration,format_name",
                    "-of", "default=nw=1", f.toString());
            assertThat(probe).contains("codec_name=h264").contains("codec_name=aac").contains("width=320")
                    .contains("height=180").contains("format_name=mov,mp4");
            double dur = Double.parseDouble(probe.replaceAll("(?s).*duration=([0-9.]+).*", "$1"));
            assertThat(dur).isBetween(total - 1.0, total + 1.0);
            // no re-encode: the export carries exactly the recorded video frames
            long recordedFrames = 0;
            for (String u : uris) {
                Path s = dir.resolve(u);
                Files.write(s, bytes(h, "/dvr/cam/" + u).body());
                recordedFrames += Long.parseLong(FfmpegTools.ffprobe("-select_streams", "v:0", "-count_packets",
                        "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", s.toString()).trim().lines().findFirst().orElseThrow());
            }
            long exported = Long.parseLong(FfmpegTools.ffprobe("-select_streams", "v:0", "-count_packets",
                    "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", f.toString()).trim().lines().findFirst().orElseThrow());
            assertThat(exported).isEqualTo(recordedFrames);

            // thumbnail: a JPEG, 320 wide
            HttpResponse<byte[]> jpg = bytes(h, "/dvr/cam/" + (from + 2) + ".jpg");
            assertThat(jpg.statusCode()).isEqualTo(200);
            assertThat(jpg.headers().firstValue("Content-Type")).hasValue("image/jpeg");
            assertThat(jpg.body()[0]).isEqualTo((byte) 0xFF);
            assertThat(jpg.body()[1]).isEqualTo((byte) 0xD8);
            Path jf = dir.resolve("t.jpg");
            Files.write(jf, jpg.body());
            assertThat(FfmpegTools.ffprobe("-show_entries", "stream=codec_name,width", "-of", "default=nw=1",
                    jf.toString())).contains("codec_name=mjpeg").contains("width=320");

            // bad input: clear 4xx with a reason
            long now = System.currentTimeMillis() / 1000;
            assertBad(h, "/dvr/cam/archive-" + (now + 3600) + "-10.m3u8", 400, "in the future");
            assertBad(h, "/dvr/cam/archive-" + from + "-3601.m3u8", 400, "over the maximum of 3600 s");
            assertBad(h, "/dvr/cam/archive-" + from + "-601.mp4", 400, "over the maximum of 600 s");
            assertBad(h, "/dvr/cam/archive-x-10.m3u8", 400, "malformed archive URL");
            assertBad(h, "/dvr/cam/archive-" + (from - 7200) + "-60.m3u8", 404, "no recording of dvr/cam between");
            assertBad(h, "/dvr/cam/archive-" + (from - 7200) + "-60.mp4", 404, "no recording");
            assertBad(h, "/dvr/cam/" + (from - 7200) + ".jpg", 404, "no recording");
            assertBad(h, "/nothing/here/recording_status.json", 404, "no recording of nothing/here");
            assertBad(h, "/dvr/cam/dvr-1-1000.ts", 404, "no archive segment");
            h.remove("dvr/cam"); // the stream stops; its archive stays
            assertThat(get(h, "/dvr/cam/index.m3u8").statusCode()).isEqualTo(404);
            assertThat(get(h, "/dvr/cam/archive-" + (from + 1) + "-5.m3u8").body()).isEqualTo(playlist);
        }
        // a new agent on the same data dir finds the archive again
        try (AgentHarness h = new AgentHarness(data, env)) {
            HttpResponse<String> st = get(h, "/dvr/cam/recording_status.json");
            assertThat(st.statusCode()).isEqualTo(200);
            assertThat(json(st).get("from").asLong()).isEqualTo(from);
            assertThat(get(h, "/dvr/cam/archive-" + (from + 1) + "-5.m3u8").body()).isEqualTo(playlist);
            assertThat(h.agent.report().dvr()).extracting(d -> d.name()).containsExactly("dvr/cam");
        }
    }

    // The shared 2-core box runs several builds at once: give requests more time than the harness's 5 s.
    static HttpResponse<String> get(AgentHarness h, String path) throws Exception {
        return h.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(h.base() + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<byte[]> bytes(AgentHarness h, String path) throws Exception {
        return h.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(h.base() + path))
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static void assertBad(AgentHarness h, String path, int status, String reason) throws Exception {
        HttpResponse<String> r = get(h, path);
        assertThat(r.statusCode()).as(path).isEqualTo(status);
        assertThat(r.body()).as(path).contains(reason);
    }

    @Test
    void aFullDvrDiskIsReportedWhileLiveGoesOn() throws Exception {
        try (AgentHarness h = new AgentHarness(dir.resolve("full"), Map.of("TRIBUTARY_DVR_MIN_FREE", "0",
                "TRIBUTARY_DVR_DISK_LIMIT", "60000"))) {
            h.run(recorded("full", new Dvr(3600L, null, null)));
            await().atMost(Duration.ofSeconds(40)).until(() -> {
                HttpResponse<String> r = get(h, "/full/recording_status.json");
                return r.statusCode() == 200 && json(r).path("error").asText().startsWith("dvr_disk_full");
            });
            assertThat(h.report("full").status()).isEqualTo("running");
            long seq = AgentHarness.mediaSequence(get(h, "/full/index.m3u8").body());
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    AgentHarness.mediaSequence(get(h, "/full/index.m3u8").body()) >= seq + 3);
            assertThat(h.agent.dvr().totalBytes()).isLessThanOrEqualTo(60000);
            assertThat(h.agent.report().dvr().get(0).error()).contains("disk limit of 60000 bytes");
        }
    }
}
