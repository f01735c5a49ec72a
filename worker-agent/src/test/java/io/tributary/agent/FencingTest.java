package io.tributary.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.tributary.agent.control.LeaseFence;
import io.tributary.agent.control.LeaseFence.PeerReach;
import io.tributary.api.Json;
import io.tributary.api.agent.AgentReportResponse;
import io.tributary.api.agent.AgentReportResponse.Peer;
import io.tributary.api.configbackend.ConfigBackendStreams;
import io.tributary.api.stream.AssignmentInfo;
import io.tributary.api.stream.InputConfig;
import io.tributary.api.stream.StreamConfig;

/** Self-fencing after the lease: the pure rule with a hand-moved clock, then two real agents and a fake control plane. */
class FencingTest {
    /** A clock the test moves by hand. */
    static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-11-25T00:00:00Z");

        void advance(long ms) {
            now = now.plusMillis(ms);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    static final List<Peer> PEERS = List.of(new Peer("b", "http://b:8090", "up"), new Peer("c", "http://c:8090", "up"));

    @Test
    void fencesOnlyAfterTheLeaseAndOnlyWhenAPeerReachesTheControlPlane() {
        TestClock clock = new TestClock();
        LeaseFence f = new LeaseFence(clock);
        assertThat(f.shouldAskPeers()).isFalse(); // never reported: nothing to go by
        assertThat(f.reportSucceeded(10_000L, PEERS)).isFalse();
        clock.advance(10_000);
        assertThat(f.shouldAskPeers()).isFalse(); // exactly the lease: still ours
        assertThat(f.decide(List.of(new PeerReach("b", true, true, 100L)))).isFalse();
        clock.advance(1);
        assertThat(f.shouldAskPeers()).isTrue();

        // Nobody reaches it (control plane or PostgreSQL down for everyone): keep running, ask again later.
        assertThat(f.decide(List.of(PeerReach.silent("b"), new PeerReach("c", true, false, 10_500L)))).isFalse();
        assertThat(f.fenced()).isFalse();
        // A peer that says "reachable" but whose last report is older than ours saw the same outage.
        assertThat(f.decide(List.of(new PeerReach("c", true, true, 12_000L)))).isFalse();
        assertThat(f.shouldAskPeers()).isTrue();

        // One peer reaches it: stop, and stay stopped (no more asking) until a report completes.
        clock.advance(5_000);
        assertThat(f.decide(List.of(PeerReach.silent("b"), new PeerReach("c", true, true, 400L)))).isTrue();
        assertThat(f.fenced()).isTrue();
        assertThat(f.fencedBecause()).contains("c reached the control plane 400 ms ago");
        assertThat(f.shouldAskPeers()).isFalse();
        assertThat(f.decide(List.of(new PeerReach("c", true, true, 1L)))).isFalse(); // already fenced
        clock.advance(60_000);
        assertThat(f.fenced()).isTrue();

        // Reports again: the fence lifts, and the lease counts from now.
        assertThat(f.reportSucceeded(2_000L, null)).isTrue();
        assertThat(f.fenced()).isFalse();
        assertThat(f.peers()).isEqualTo(PEERS); // an answer without peers keeps the last known list
        clock.advance(2_001);
        assertThat(f.shouldAskPeers()).isTrue();
        assertThat(f.leaseMs()).isEqualTo(2_000);
    }

    @Test
    void withoutPeersOrLeaseItNeverFences() {
        TestClock clock = new TestClock();
        LeaseFence alone = new LeaseFence(clock);
        alone.reportSucceeded(1_000L, List.of());
        clock.advance(100_000);
        assertThat(alone.shouldAskPeers()).isFalse();
        LeaseFence noLease = new LeaseFence(clock);
        noLease.reportSucceeded(null, PEERS);
        clock.advance(100_000);
        assertThat(noLease.shouldAskPeers()).isFalse();
        assertThat(noLease.decide(List.of(new PeerReach("b", true, true, 1L)))).isFalse();
    }

    // --- two real agents and a fake control plane that can stop answering one of them ---

    @TempDir
    Path dir;
    final ObjectMapper json = Json.mapper();
    final Set<String> ignored = ConcurrentHashMap.newKeySet();
    final Map<String, String> urls = new ConcurrentHashMap<>();

    private HttpServer controlPlane() throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.createContext("/api/v1/agents/", ex -> {
            String host = ex.getRequestURI().getPath().substring("/api/v1/agents/".length());
            ex.getRequestBody().readAllBytes();
            if (ignored.contains(host)) {
                send(ex, 503, null);
                return;
            }
            List<Peer> peers = urls.entrySet().stream().filter(e -> !e.getKey().equals(host))
                    .map(e -> new Peer(e.getKey(), e.getValue(), "up")).toList();
            send(ex, 200, new AgentReportResponse(200L, 1500L, "e1", List.of(), peers));
        });
        s.createContext("/config-external/streams", ex -> {
            String q = ex.getRequestURI().getQuery();
            String host = q.replaceAll(".*host=([^&]*).*", "$1");
            if (ignored.contains(host)) {
                send(ex, 503, null);
                return;
            }
            List<StreamConfig> streams = host.equals("fa") ? List.of(new StreamConfig("fence/s", null,
                    List.of(new InputConfig("fake://x?size=160x90&rate=10")), true, null, null, null, null, null, 1000,
                    4, null, null, new AssignmentInfo(3L, 0L, 0L, 1500L))) : List.of();
            send(ex, 200, new ConfigBackendStreams(streams, null, null, (long) streams.size()));
        });
        s.start();
        return s;
    }

    private void send(HttpExchange ex, int code, Object body) throws IOException {
        byte[] b = body == null ? new byte[0] : json.writeValueAsBytes(body);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(code, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            ex.getResponseBody().write(b);
        }
        ex.close();
    }

    private Agent agent(String host, int cpPort) throws Exception {
        Map<String, String> env = Map.of("TRIBUTARY_HTTP_PORT", "0", "TRIBUTARY_BIND", "127.0.0.1",
                "TRIBUTARY_HOSTNAME", host, "TRIBUTARY_DATA_DIR", dir.resolve(host).toString(),
                "TRIBUTARY_PUBLIC_URL", "http://127.0.0.1:0", "TRIBUTARY_CLUSTER_KEY", "k",
                "TRIBUTARY_CONTROL_PLANE_URL", "http://127.0.0.1:" + cpPort, "TRIBUTARY_CONFIG_POLL_INTERVAL_MS", "500");
        Agent a = Agent.start(AgentConfig.load(env, new Properties()));
        urls.put(host, a.config().privateUrl());
        return a;
    }

    private JsonNode reach(Agent a) throws Exception {
        return json.readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + a.port() + "/cluster/reach")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    @Test
    void anAgentCutOffAloneStopsItsCapturesAndOneCutOffWithEveryoneKeepsThem() throws Exception {
        HttpServer cp = controlPlane();
        int port = cp.getAddress().getPort();
        try (Agent a = agent("fa", port); Agent b = agent("fb", port)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> a.supervisor().capture("fence/s") != null
                    && "running".equals(a.supervisor().capture("fence/s").status())
                    && reach(b).path("control_plane_reachable").asBoolean());
            assertThat(reach(a).path("hostname").asText()).isEqualTo("fa");

            // The control plane answers nobody: past the lease a asks b, b does not reach it either.
            ignored.addAll(Set.of("fa", "fb"));
            await().atMost(Duration.ofSeconds(20)).until(() -> reach(a).path("last_report_ok_ms_ago").asLong() > 3000 && peerChecks(a) >= 2);
            assertThat(reach(b).path("control_plane_reachable").asBoolean()).isFalse();
            assertThat(a.supervisor().capture("fence/s")).isNotNull();
            assertThat(reach(a).path("fenced").asBoolean()).isFalse();

            // Only a is cut off: b reaches the control plane again, so a stops its capture.
            ignored.remove("fb");
            await().atMost(Duration.ofSeconds(20)).until(() -> a.supervisor().capture("fence/s") == null);
            assertThat(reach(a).path("fenced").asBoolean()).isTrue();
            assertThat(reach(b).path("control_plane_reachable").asBoolean()).isTrue();
            assertThat(a.report().streams()).isEmpty();

            // a reaches the control plane again: it follows the config as usual.
            ignored.remove("fa");
            await().atMost(Duration.ofSeconds(20)).until(() -> a.supervisor().capture("fence/s") != null);
            assertThat(reach(a).path("fenced").asBoolean()).isFalse();
        } finally {
            cp.stop(0);
        }
    }

    private static long peerChecks(Agent a) {
        return a.control().peerChecks();
    }
}
