package io.tributary.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.e2e.harness.Api;
import io.tributary.e2e.harness.ClusterHarness;
import io.tributary.e2e.harness.PlaylistPoller;
import io.tributary.e2e.harness.PrivatePostgres;
import io.tributary.e2e.harness.TestDatabase;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** PostgreSQL stops under a running cluster: captures keep running, nothing stored is lost, scheduling resumes. */
class PostgresRestartTest {

    @Test
    void capturesOutliveAPostgresRestartAndSchedulingResumes() throws Exception {
        Assumptions.assumeTrue(PrivatePostgres.available(), "Debian's PostgreSQL is not installed: no private server to restart");
        try (PrivatePostgres pg = PrivatePostgres.start();
                ClusterHarness cluster = ClusterHarness.start(2, Map.of(), Map.of(),
                        TestDatabase.create("tributary_pgrestart", pg.jdbcUrl()))) {
            Api api = cluster.api();
            assertThat(api.put("/api/v1/streams/pg-a", "{\"inputs\":[{\"url\":\"fake://a?size=320x180\"}],\"segment_duration\":1000}")
                    .status()).isEqualTo(200);
            JsonNode before = await("pg-a running").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> api.get("/api/v1/streams/pg-a").json().path("stats"),
                            s -> "running".equals(s.path("status").asText()));
            String host = before.path("running_on").get(0).asText();
            String url = cluster.agent(host).url() + "/pg-a/index.m3u8";
            try (PlaylistPoller poller = new PlaylistPoller(() -> url, 300)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> poller.count() >= 2);
                pg.stop();
                long at = poller.highest();
                await("segments while PostgreSQL is down").atMost(Duration.ofSeconds(30)).until(() -> poller.highest() >= at + 5);
                pg.restart();
                await("control plane ready again").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                        .until(() -> Api.fetch(cluster.url() + "/q/health/ready").status() == 200);
                // Scheduling resumes: a new stream gets placed and runs.
                await("a new stream is accepted").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                        .until(() -> api.put("/api/v1/streams/pg-b", "{\"inputs\":[{\"url\":\"fake://b?size=320x180\"}]}").status() == 200);
                await("pg-b running").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                        .until(() -> "running".equals(api.get("/api/v1/streams/pg-b").json().path("stats").path("status").asText()));
                long back = poller.highest();
                await().atMost(Duration.ofSeconds(20)).until(() -> poller.highest() >= back + 2);
                assertThat(poller.missing()).as("no segment gap").isEmpty();
                assertThat(poller.problems()).isEmpty();
            }
            JsonNode after = api.get("/api/v1/streams/pg-a").json();
            assertThat(after.path("stats").path("generation").asLong()).as("not moved").isEqualTo(before.path("generation").asLong());
            assertThat(after.path("inputs").get(0).path("url").asText()).isEqualTo("fake://a?size=320x180");
            assertThat(api.get("/api/v1/events?stream=pg-a").json().path("events").size()).isGreaterThanOrEqualTo(1);
        }
    }
}
