package io.tributary.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.tributary.api.stream.AssignmentInfo;
import io.tributary.api.stream.InputConfig;
import io.tributary.api.stream.StreamConfig;

/** Media HTTP details: CORS on every answer (404 too), and a segment_count change applied in place. */
class MediaHttpTest {
    @TempDir
    Path dir;

    static StreamConfig withWindow(String name, int segmentCount) {
        return new StreamConfig(name, null, List.of(new InputConfig("fake://w?size=160x90&rate=10")), true, null, null,
                null, null, null, 500, segmentCount, null, null, new AssignmentInfo(1L, 0L, 0L, 10_000L));
    }

    @Test
    void everyMediaAnswerCarriesCorsAndTheWindowFollowsSegmentCount() throws Exception {
        try (AgentHarness h = new AgentHarness(dir, Map.of())) {
            for (String path : List.of("/nope/index.m3u8", "/nope/mpegts", "/x/seg-..ts", "/%2e%2e/index.m3u8")) {
                HttpResponse<String> r = h.get(path);
                assertThat(r.statusCode()).as(path).isEqualTo(404);
                assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).as(path).hasValue("*");
            }
            HttpResponse<String> pre = h.http.send(HttpRequest.newBuilder(URI.create(h.base() + "/w/index.m3u8"))
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "http://ui.example")
                    .header("Access-Control-Request-Method", "GET").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(pre.statusCode()).isEqualTo(204);
            assertThat(pre.headers().firstValue("Access-Control-Allow-Methods").orElse("")).contains("GET");

            h.run(withWindow("w", 4));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                HttpResponse<String> r = h.get("/w/index.m3u8");
                return r.statusCode() == 200 && AgentHarness.countSegments(r.body()) == 4;
            });
            assertThat(h.get("/w/index.m3u8").headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
            var capture = h.agent.supervisor().capture("w");

            // Only segment_count changes: same capture (no restart, no discontinuity), smaller window at once.
            h.run(withWindow("w", 2));
            assertThat(h.agent.supervisor().capture("w")).isSameAs(capture);
            assertThat(AgentHarness.countSegments(h.get("/w/index.m3u8").body())).isLessThanOrEqualTo(2);
            h.run(withWindow("w", 6));
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    AgentHarness.countSegments(h.get("/w/index.m3u8").body()) == 6);
            assertThat(h.agent.supervisor().capture("w")).isSameAs(capture);
            assertThat(h.get("/w/index.m3u8").body()).doesNotContain("#EXT-X-DISCONTINUITY\n");
            assertThat(capture.sessions()).isEqualTo(1);
        }
    }

    @Test
    void peeringRedirectSendsViewersOfOtherStreamsToTheBalancer() throws Exception {
        try (AgentHarness h = new AgentHarness(dir, Map.of("TRIBUTARY_PEERING", "redirect",
                "TRIBUTARY_BALANCER_URL", "http://lb.example:8080/"))) {
            HttpResponse<String> r = h.get("/cams/front/index.m3u8?token=a%20b&x=1");
            assertThat(r.statusCode()).isEqualTo(302);
            assertThat(r.headers().firstValue("Location")).hasValue(
                    "http://lb.example:8080/lb/cams/front/index.m3u8?token=a%20b&x=1&tributary_peer_hop=1");
            assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
            assertThat(h.get("/cams/front/seg-12.ts").headers().firstValue("Location"))
                    .hasValue("http://lb.example:8080/lb/cams/front/seg-12.ts?tributary_peer_hop=1");
            assertThat(h.get("/cams/front/mpegts").statusCode()).isEqualTo(302);
            // Sent back here by the balancer: no loop. Not a media file, or a publish: 404 as usual.
            assertThat(h.get("/cams/front/index.m3u8?tributary_peer_hop=1").statusCode()).isEqualTo(404);
            assertThat(h.get("/cams/front/other.txt").statusCode()).isEqualTo(404);
            assertThat(h.http.send(HttpRequest.newBuilder(URI.create(h.base() + "/cams/front/mpegts"))
                    .PUT(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).isEqualTo(404);
            // A stream this agent runs is served here, never redirected.
            h.run(AgentHarness.stream("mine", 1000, new InputConfig("publish://")));
            assertThat(h.get("/mine/index.m3u8").statusCode()).isEqualTo(404);
        }
        assertThat(AgentConfig.load(Map.of("TRIBUTARY_PEERING", "redirect", "TRIBUTARY_CONTROL_PLANE_URL",
                "http://cp:8080"), new java.util.Properties()).redirectBase()).isEqualTo("http://cp:8080");
        assertThat(AgentConfig.load(Map.of(), new java.util.Properties()).redirectBase()).isNull();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AgentConfig.load(Map.of("TRIBUTARY_PEERING",
                "mirror"), new java.util.Properties())).hasMessageContaining("TRIBUTARY_PEERING");
        // Restreaming is the default with a control plane, never without one.
        assertThat(AgentConfig.load(Map.of("TRIBUTARY_CONTROL_PLANE_URL", "http://cp:8080"), new java.util.Properties())
                .peering()).isEqualTo(AgentConfig.PEERING_RESTREAM);
        assertThat(AgentConfig.load(Map.of("TRIBUTARY_CONTROL_PLANE_URL", "none"), new java.util.Properties())
                .peering()).isEqualTo(AgentConfig.PEERING_NONE);
    }
}
