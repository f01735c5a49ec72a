package io.tributary.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.e2e.harness.Api;
import io.tributary.e2e.harness.ClusterHarness;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** A transcoded stream fails over like any other: after kill -9 it runs, transcoded, elsewhere, every rung continuing. */
class TranscodeFailoverTest {
    static final Pattern SEQ = Pattern.compile("#EXT-X-MEDIA-SEQUENCE:(\\d+)");

    @Test
    void ladderMovesWithItsStreamAndEveryRungContinues() throws Exception {
        try (ClusterHarness cluster = ClusterHarness.start(2)) {
            Api api = cluster.api();
            assertThat(api.put("/api/v1/streams/abr", "{\"inputs\":[{\"url\":\"fake://abr?size=640x360&rate=25\"}],"
                    + "\"segment_duration\":1000,\"transcoder\":{\"video\":["
                    + "{\"bitrate\":400000,\"size\":{\"width\":320,\"height\":180},\"preset\":\"ultrafast\"},"
                    + "{\"bitrate\":200000,\"size\":{\"width\":256,\"height\":-1},\"preset\":\"ultrafast\"}],"
                    + "\"audio\":{\"codec\":\"aac\",\"bitrate\":64000}}}").status()).isEqualTo(200);
            JsonNode stats = await("abr running").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
                    .until(() -> api.get("/api/v1/streams/abr").json().path("stats"),
                            s -> "running".equals(s.path("status").asText()));
            String first = stats.path("running_on").get(0).asText();
            String master = await("master playlist").atMost(Duration.ofSeconds(30))
                    .until(() -> Api.fetch(cluster.agent(first).url() + "/abr/index.m3u8"),
                            r -> r.status() == 200 && r.body().contains("#EXT-X-STREAM-INF")).body();
            assertThat(master.lines().filter(l -> l.startsWith("#EXT-X-STREAM-INF"))).hasSize(2);
            Map<String, Long> lastSeq = new HashMap<>();
            for (String rung : new String[] {"v1", "v2"}) {
                String body = await(rung + " has segments").atMost(Duration.ofSeconds(30))
                        .until(() -> Api.fetch(cluster.agent(first).url() + "/abr/" + rung + "/index.m3u8"),
                                r -> r.status() == 200 && r.body().contains("#EXTINF")).body();
                lastSeq.put(rung, lastSequence(body));
            }

            cluster.agent(first).process().kill9();
            String second = await("abr moved").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                    .until(() -> api.get("/api/v1/streams/abr").json().path("stats"),
                            s -> "running".equals(s.path("status").asText()) && s.path("running_on").size() == 1
                                    && !first.equals(s.path("running_on").get(0).asText()))
                    .path("running_on").get(0).asText();
            String moved = await().atMost(Duration.ofSeconds(30))
                    .until(() -> Api.fetch(cluster.agent(second).url() + "/abr/index.m3u8"),
                            r -> r.status() == 200 && r.body().contains("#EXT-X-STREAM-INF")).body();
            assertThat(moved.lines().filter(l -> l.startsWith("#EXT-X-STREAM-INF"))).hasSize(2);
            for (String rung : new String[] {"v1", "v2"}) {
                String body = await(rung + " on " + second).atMost(Duration.ofSeconds(30))
                        .until(() -> Api.fetch(cluster.agent(second).url() + "/abr/" + rung + "/index.m3u8"),
                                r -> r.status() == 200 && r.body().contains("#EXTINF")).body();
                Matcher m = SEQ.matcher(body);
                assertThat(m.find()).isTrue();
                assertThat(Long.parseLong(m.group(1))).as("%s continues after %d", rung, lastSeq.get(rung))
                        .isGreaterThan(lastSeq.get(rung));
                assertThat(body).contains("#EXT-X-DISCONTINUITY");
            }
        }
    }

    private static long lastSequence(String playlist) {
        Matcher m = SEQ.matcher(playlist);
        long first = m.find() ? Long.parseLong(m.group(1)) : 0;
        return first + playlist.lines().filter(l -> !l.isEmpty() && !l.startsWith("#")).count() - 1;
    }
}
