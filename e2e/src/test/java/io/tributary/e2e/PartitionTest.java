package io.tributary.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.e2e.harness.Api;
import io.tributary.e2e.harness.ClusterHarness;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * An agent cut off from the control plane in its own network namespace, while its peers still
 * reach it: once another server took its stream, it stops its capture within its lease; on heal,
 * exactly one capture remains. Needs root and iproute2 (skipped with a message otherwise).
 */
class PartitionTest {
    /** The agent's lease (10 s) plus the failover timeout, a report interval and slack for a loaded machine. */
    static final long STOP_BOUND_MS = 25_000;

    private final String ns = "trb" + (ProcessHandle.current().pid() % 100000);
    private final String hostIf = ns + "h";
    private final String nsIf = ns + "n";
    private final int subnet = 100 + (int) (ProcessHandle.current().pid() % 150);
    private final String peerAddr = "10.213." + subnet + ".1";   // other agents, reachable from the namespace
    private final String nsAddr = "10.213." + subnet + ".2";     // the cut-off agent
    private final String cpAddr = "10.213." + subnet + ".3";     // the control plane; blackholed from the namespace

    @Test
    void cutOffAgentStopsWithinItsLeaseAndHealsToOneCapture() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "network namespaces need root");
        Assumptions.assumeTrue(run("ip", "netns", "add", ns) == 0, "cannot create a network namespace here");
        try {
            setUpNetwork();
            try (ClusterHarness cluster = ClusterHarness.startOnNetwork(3, cpAddr, i -> i == 1
                    ? new ClusterHarness.AgentNet(nsAddr, List.of("ip", "netns", "exec", ns), null)
                    : new ClusterHarness.AgentNet(peerAddr, List.of(), null))) {
                Api api = cluster.api();
                ClusterHarness.Agent cutOff = cluster.agents().get(0);
                assertThat(api.put("/api/v1/streams/part", "{\"inputs\":[{\"url\":\"fake://part?size=320x180\"}],"
                        + "\"segment_duration\":1000,\"cluster_ingest\":{\"capture_at\":\"" + cutOff.hostname() + "\"}}").status())
                        .isEqualTo(200);
                await("running on " + cutOff.hostname()).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                        .until(() -> api.get("/api/v1/streams/part").json().path("stats"),
                                s -> "running".equals(s.path("status").asText())
                                        && cutOff.hostname().equals(s.path("running_on").path(0).asText()));

                assertThat(run("ip", "netns", "exec", ns, "ip", "route", "add", "blackhole", cpAddr + "/32")).isZero();
                long cutAt = System.nanoTime();
                String other = await("stream taken by another server").atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(250))
                        .until(() -> api.get("/api/v1/streams/part").json().path("stats"),
                                s -> s.path("assigned_to").asText("").length() > 0
                                        && !cutOff.hostname().equals(s.path("assigned_to").asText()))
                        .path("assigned_to").asText();
                // The cut-off agent still serves its capture for a while (it cannot know yet), then stops it.
                await("the cut-off agent stops its capture").atMost(Duration.ofMillis(STOP_BOUND_MS)).pollInterval(Duration.ofMillis(250))
                        .until(() -> captures(cutOff) == 0);
                long stoppedMs = (System.nanoTime() - cutAt) / 1_000_000;
                System.out.printf("PARTITION cut -> capture stopped on the cut-off agent: %d ms (lease 10000 ms)%n", stoppedMs);
                assertThat(stoppedMs).isLessThan(STOP_BOUND_MS);
                assertThat(Api.fetch(cluster.agent(other).url() + "/part/index.m3u8").status()).isEqualTo(200);

                assertThat(run("ip", "netns", "exec", ns, "ip", "route", "del", "blackhole", cpAddr + "/32")).isZero();
                await("the healed agent reports again").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                        .until(() -> "up".equals(api.get("/api/v1/servers/" + cutOff.hostname()).json().path("status").asText()));
                JsonNode healed = await("exactly one capture").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250))
                        .until(() -> api.get("/api/v1/streams/part").json().path("stats"),
                                s -> "running".equals(s.path("status").asText()) && s.path("running_on").size() == 1);
                assertThat(healed.path("running_on").get(0).asText()).isEqualTo(other);
                assertThat(captures(cutOff)).isZero();
            }
        } finally {
            run("ip", "link", "del", hostIf);
            run("ip", "netns", "del", ns);
        }
    }

    /**
     * Captures an agent runs (its /health). Not a 404 of the playlist: with restreaming an agent
     * serves a stream it does not capture by pulling it from its owner.
     */
    private static int captures(ClusterHarness.Agent a) {
        Api.Reply r = Api.fetch(a.url() + "/health");
        return r.status() == 200 ? r.json().path("streams").asInt(-1) : -1;
    }

    private void setUpNetwork() throws Exception {
        check("ip", "link", "add", hostIf, "type", "veth", "peer", "name", nsIf);
        check("ip", "link", "set", nsIf, "netns", ns);
        check("ip", "addr", "add", peerAddr + "/24", "dev", hostIf);
        check("ip", "addr", "add", cpAddr + "/24", "dev", hostIf);
        check("ip", "link", "set", hostIf, "up");
        check("ip", "netns", "exec", ns, "ip", "addr", "add", nsAddr + "/24", "dev", nsIf);
        check("ip", "netns", "exec", ns, "ip", "link", "set", nsIf, "up");
        check("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
    }

    private static void check(String... cmd) throws Exception {
        assertThat(run(cmd)).as(String.join(" ", cmd)).isZero();
    }

    private static int run(String... cmd) {
        try {
            Process p = new ProcessBuilder(new ArrayList<>(List.of(cmd))).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
