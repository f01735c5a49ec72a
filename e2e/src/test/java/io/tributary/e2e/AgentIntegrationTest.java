package io.tributary.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.e2e.harness.Api;
import io.tributary.e2e.harness.ClusterHarness;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The packaged control plane and two real agents: a stream created by the API plays on its agent and shows stats. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentIntegrationTest {
    private ClusterHarness cluster;

    @BeforeAll
    void start() throws Exception {
        cluster = ClusterHarness.start(2);
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void streamCreatedByApiPlaysOnItsAgentAndReportsStats() {
        Api api = cluster.api();
        assertThat(api.put("/api/v1/streams/e2e-demo",
                "{\"inputs\":[{\"url\":\"fake://e2e?size=320x180&rate=25\"}],\"segment_duration\":1000}").status())
                .isEqualTo(200);
        JsonNode stats = await("stream running").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> api.get("/api/v1/streams/e2e-demo").json().path("stats"),
                        s -> "running".equals(s.path("status").asText()));
        String host = stats.path("running_on").get(0).asText();
        assertThat(stats.path("generation").asLong()).isPositive();
        assertThat(stats.path("media_info").path("tracks").size()).as(cluster.logs()).isGreaterThanOrEqualTo(1);
        String playlist = await("playlist on " + host).atMost(Duration.ofSeconds(30))
                .until(() -> Api.fetch(cluster.agent(host).url() + "/e2e-demo/index.m3u8"),
                        r -> r.status() == 200 && r.body().contains("#EXTINF")).body();
        assertThat(playlist).startsWith("#EXTM3U").contains("#EXT-X-MEDIA-SEQUENCE");
        JsonNode server = api.get("/api/v1/servers/" + host).json();
        assertThat(server.path("status").asText()).isEqualTo("up");
        assertThat(server.path("stats").path("online_streams").asInt()).isGreaterThanOrEqualTo(1);
        // Exactly one server captures it.
        assertThat(stats.path("running_on").size()).isEqualTo(1);
    }
}
