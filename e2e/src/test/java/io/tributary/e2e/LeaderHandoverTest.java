package io.tributary.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.e2e.harness.Api;
import io.tributary.e2e.harness.ClusterHarness;
import io.tributary.e2e.harness.ManagedProcess;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Two control-plane replicas on one database: exactly one schedules; kill -9 of it hands scheduling to the other. */
class LeaderHandoverTest {

    @Test
    void killingTheLeaderHandsSchedulingToTheOtherReplica() throws Exception {
        try (ClusterHarness cluster = ClusterHarness.start(0)) {
            int port2 = ClusterHarness.freePort();
            ManagedProcess replica = cluster.startReplica(port2);
            try {
                Api first = cluster.api();
                Api second = new Api("http://127.0.0.1:" + port2, cluster.adminToken());
                String leader = await("a leader").atMost(Duration.ofSeconds(30))
                        .until(() -> first.get("/api/v1/cluster").json().path("scheduler_leader").asText(""), l -> !l.isEmpty());
                // Both replicas name the same leader: the first one, which started first.
                assertThat(second.get("/api/v1/cluster").json().path("scheduler_leader").asText()).isEqualTo(leader);
                assertThat(leader).endsWith(":" + cluster.url().substring(cluster.url().lastIndexOf(':') + 1));

                cluster.controlPlane().kill9();
                String next = await("the other replica leads").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                        .until(() -> second.get("/api/v1/cluster").json().path("scheduler_leader").asText(""),
                                l -> l.endsWith(":" + port2));
                assertThat(next).isNotEqualTo(leader);
                // It schedules: a new stream gets an assignment decision (waiting: no server is up here).
                assertThat(second.put("/api/v1/streams/after-handover", "{\"inputs\":[{\"url\":\"fake://x\"}]}").status())
                        .isEqualTo(200);
                await("scheduled by the new leader").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250))
                        .until(() -> second.get("/api/v1/streams/after-handover").json().path("stats").path("waiting_reason")
                                .asText(""), r -> r.contains("no server"));
            } finally {
                replica.stop();
            }
        }
    }
}
