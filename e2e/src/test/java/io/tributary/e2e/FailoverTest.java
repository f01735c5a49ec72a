package io.tributary.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.e2e.harness.Api;
import io.tributary.e2e.harness.ClusterHarness;
import io.tributary.e2e.harness.PlaylistPoller;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Cluster ingest with real processes: kill -9 of agents (and their return), kill -9 of the
 * control plane. Each stream always runs on exactly one server, and its HLS sequence continues.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailoverTest {
    static final List<String> STREAMS = List.of("fo-a", "fo-b", "fo-c", "fo-d");
    /** A stream reported by two servers for longer than this breaks the fencing promise. */
    static final long FENCING_BOUND_MS = 10_000;

    private ClusterHarness cluster;
    private Api api;
    private final Map<String, Long> doubleSince = new ConcurrentHashMap<>();
    private final Map<String, Long> longestDoubleMs = new ConcurrentHashMap<>();
    private final ScheduledExecutorService monitor = Executors.newSingleThreadScheduledExecutor();

    @BeforeAll
    void start() throws Exception {
        cluster = ClusterHarness.start(3);
        api = cluster.api();
        for (String s : STREAMS) {
            assertThat(api.put("/api/v1/streams/" + s,
                    "{\"inputs\":[{\"url\":\"fake://" + s + "?size=320x180&rate=25\"}],\"segment_duration\":1000}").status())
                    .isEqualTo(200);
        }
        awaitAllRunning(Duration.ofSeconds(90));
        // Watches, all along, that no stream is reported running by two servers for long.
        monitor.scheduleWithFixedDelay(this::watchDoubleCapture, 0, 250, TimeUnit.MILLISECONDS);
    }

    @AfterAll
    void stop() {
        monitor.shutdownNow();
        if (cluster != null) {
            cluster.close();
        }
    }

    private void watchDoubleCapture() {
        try {
            JsonNode list = api.get("/api/v1/streams?limit=100").json().path("streams");
            long now = System.currentTimeMillis();
            for (JsonNode s : list) {
                String name = s.path("name").asText();
                if (s.path("stats").path("running_on").size() > 1) {
                    long since = doubleSince.computeIfAbsent(name, k -> now);
                    longestDoubleMs.merge(name, now - since, Math::max);
                } else {
                    doubleSince.remove(name);
                }
            }
        } catch (RuntimeException ignored) {
            // the control plane may be down in one of the tests
        }
    }

    private Map<String, JsonNode> stats() {
        Map<String, JsonNode> m = new HashMap<>();
        for (JsonNode s : api.get("/api/v1/streams?limit=100").json().path("streams")) {
            m.put(s.path("name").asText(), s.path("stats"));
        }
        return m;
    }

    private Map<String, JsonNode> awaitAllRunning(Duration atMost) {
        return await("all streams running on one server each").atMost(atMost).pollInterval(Duration.ofMillis(250))
                .until(this::stats, m -> STREAMS.stream().allMatch(s -> m.containsKey(s)
                        && "running".equals(m.get(s).path("status").asText())
                        && m.get(s).path("running_on").size() == 1));
    }

    private String playlistUrl(String stream) {
        JsonNode st = api.get("/api/v1/streams/" + stream).json().path("stats");
        if (st.path("running_on").size() == 0) {
            return null;
        }
        return cluster.agent(st.path("running_on").get(0).asText()).url() + "/" + stream + "/index.m3u8";
    }

    @Test
    @Order(1)
    void killedAgentsStreamsRunAgainOnSurvivorsAndSequenceContinues() throws Exception {
        int cycles = Integer.getInteger("tributary.failover.cycles", 10);
        for (int cycle = 0; cycle < cycles; cycle++) {
            Map<String, JsonNode> before = awaitAllRunning(Duration.ofSeconds(60));
            Map<String, Integer> perHost = new HashMap<>();
            before.forEach((s, st) -> {
                if (STREAMS.contains(s)) {
                    perHost.merge(st.path("running_on").get(0).asText(), 1, Integer::sum);
                }
            });
            String victim = perHost.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
            Map<String, Long> lastSeq = new HashMap<>();
            for (String s : STREAMS) {
                if (victim.equals(before.get(s).path("running_on").get(0).asText())) {
                    lastSeq.put(s, mediaSequenceOf(cluster.agent(victim).url() + "/" + s + "/index.m3u8"));
                }
            }
            cluster.agent(victim).process().kill9();
            Map<String, JsonNode> after = await("streams of " + victim + " moved (cycle " + cycle + ")")
                    .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(this::stats, m -> lastSeq.keySet().stream().allMatch(s ->
                            "running".equals(m.get(s).path("status").asText())
                                    && m.get(s).path("running_on").size() == 1
                                    && !victim.equals(m.get(s).path("running_on").get(0).asText())));
            for (Map.Entry<String, Long> e : lastSeq.entrySet()) {
                String s = e.getKey();
                assertThat(after.get(s).path("generation").asLong()).isGreaterThan(before.get(s).path("generation").asLong());
                String newHost = after.get(s).path("running_on").get(0).asText();
                String playlist = await().atMost(Duration.ofSeconds(20))
                        .until(() -> Api.fetch(cluster.agent(newHost).url() + "/" + s + "/index.m3u8"),
                                r -> r.status() == 200 && r.body().contains("#EXTINF")).body();
                long first = Long.parseLong(playlist.replaceAll("(?s).*#EXT-X-MEDIA-SEQUENCE:(\\d+).*", "$1"));
                assertThat(first).as("%s continues after %d on %s", s, e.getValue(), newHost).isGreaterThan(e.getValue());
                assertThat(playlist).contains("#EXT-X-DISCONTINUITY");
            }
            cluster.agent(victim).start();
            cluster.agent(victim).awaitHealthy();
            cluster.agent(victim).awaitUp();
        }
        assertThat(longestDoubleMs.values().stream().mapToLong(Long::longValue).max().orElse(0))
                .as("longest time a stream was reported by two servers").isLessThan(FENCING_BOUND_MS);
        JsonNode events = api.get("/api/v1/events?type=failover&limit=100").json().path("events");
        assertThat(events.size()).isGreaterThanOrEqualTo(cycles);
        assertThat(events.get(0).path("duration_ms").asLong()).isPositive();
    }

    @Test
    @Order(2)
    void killedControlPlaneNeverStopsCaptures() throws Exception {
        Map<String, JsonNode> before = awaitAllRunning(Duration.ofSeconds(60));
        String stream = STREAMS.get(0);
        String host = before.get(stream).path("running_on").get(0).asText();
        String url = cluster.agent(host).url() + "/" + stream + "/index.m3u8";
        try (PlaylistPoller poller = new PlaylistPoller(() -> url, 300)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> poller.count() >= 2);
            cluster.controlPlane().kill9();
            long at = poller.highest();
            // With the control plane gone, segments keep coming.
            await("segments while the control plane is down").atMost(Duration.ofSeconds(20))
                    .until(() -> poller.highest() >= at + 4);
            cluster.controlPlane().start();
            await("control plane back").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                    .until(() -> Api.fetch(cluster.url() + "/q/health/ready").status() == 200);
            long back = poller.highest();
            await().atMost(Duration.ofSeconds(20)).until(() -> poller.highest() >= back + 3);
            assertThat(poller.missing()).as("no segment gap").isEmpty();
            assertThat(poller.problems()).isEmpty();
        }
        Map<String, JsonNode> after = awaitAllRunning(Duration.ofSeconds(30));
        for (String s : STREAMS) {
            assertThat(after.get(s).path("generation").asLong()).as("%s was not moved", s)
                    .isEqualTo(before.get(s).path("generation").asLong());
        }
    }

    /** The playlist of a stream on every agent, answered only where it is captured (no edge restreaming). */
    private List<String> capturePlaylists(String stream) {
        return cluster.agents().stream().map(a -> a.url() + "/" + stream + "/index.m3u8?tributary_pull=1").toList();
    }

    private static long mediaSequenceOf(String url) {
        String body = Api.fetch(url).body();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("#EXT-X-MEDIA-SEQUENCE:(\\d+)").matcher(body);
        long first = m.find() ? Long.parseLong(m.group(1)) : 0;
        long segments = body.lines().filter(l -> !l.isEmpty() && !l.startsWith("#")).count();
        return first + segments - 1;
    }

    @Test
    @Order(3)
    void drainMovesCapturesWithoutAMissingSegment() throws Exception {
        Map<String, JsonNode> before = awaitAllRunning(Duration.ofSeconds(60));
        String stream = STREAMS.get(1);
        String host = before.get(stream).path("running_on").get(0).asText();
        // Every capturing agent's own playlist of the stream, polled together. tributary_pull (the
        // marker of an edge's pull) keeps agents that do not capture it from restreaming it with
        // numbers of their own: this checks the captures' hand-over, not an edge's playlist.
        List<String> everyServer = capturePlaylists(stream);
        try (PlaylistPoller poller = PlaylistPoller.ofAll(() -> everyServer, 250)) {
            await().atMost(Duration.ofSeconds(15)).until(() -> poller.count() >= 3);
            assertThat(api.post("/api/v1/servers/" + host + "/drain", null).status()).isEqualTo(200);
            Map<String, JsonNode> moved = await("every stream off the draining " + host).atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(250))
                    .until(this::stats, m -> STREAMS.stream().allMatch(s -> "running".equals(m.get(s).path("status").asText())
                            && m.get(s).path("running_on").size() == 1
                            && !host.equals(m.get(s).path("running_on").get(0).asText())));
            String newHost = moved.get(stream).path("running_on").get(0).asText();
            long at = poller.highest();
            await("segments from " + newHost).atMost(Duration.ofSeconds(20)).until(() -> poller.highest() >= at + 3);
            assertThat(poller.missing()).as("media sequence numbers a player missed").isEmpty();
            assertThat(poller.conflicts()).as("numbers listed by both the old and the new owner").isEmpty();
            assertThat(poller.problems()).isEmpty();
            assertThat(api.get("/api/v1/events?type=handoff_complete&stream=" + stream).json().path("events").size())
                    .isGreaterThanOrEqualTo(1);
        } finally {
            api.post("/api/v1/servers/" + host + "/undrain", null);
        }
        assertThat(api.get("/api/v1/servers/" + host).json().path("schedulable").asText()).isEqualTo("eligible");
    }

    @Test
    @Order(4)
    void streamFailsBackToCaptureAtAfterTheHoldDownWithoutAGap() throws Exception {
        String stream = "fo-home";
        String home = cluster.agents().get(0).hostname();
        assertThat(api.put("/api/v1/streams/" + stream, "{\"inputs\":[{\"url\":\"fake://" + stream
                + "?size=320x180&rate=25\"}],\"segment_duration\":1000,\"cluster_ingest\":{\"capture_at\":\"" + home
                + "\"}}").status()).isEqualTo(200);
        try {
            await("running on " + home).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> home.equals(api.get("/api/v1/streams/" + stream).json().path("stats").path("running_on")
                            .path(0).asText()));
            cluster.agent(home).process().kill9();
            String away = await("moved off " + home).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> api.get("/api/v1/streams/" + stream).json().path("stats"),
                            st -> "running".equals(st.path("status").asText()) && st.path("running_on").size() == 1
                                    && !home.equals(st.path("running_on").path(0).asText()))
                    .path("running_on").path(0).asText();
            List<String> everyServer = capturePlaylists(stream);
            try (PlaylistPoller poller = PlaylistPoller.ofAll(() -> everyServer, 250)) {
                await().atMost(Duration.ofSeconds(20)).until(() -> poller.count() >= 2);
                cluster.agent(home).start();
                cluster.agent(home).awaitHealthy();
                cluster.agent(home).awaitUp();
                // The hold-down is 10 failover timeouts (30 s); then a hand-off brings it home.
                await("fail-back to " + home).atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                        .until(() -> api.get("/api/v1/streams/" + stream).json().path("stats"),
                                st -> st.path("running_on").size() == 1 && home.equals(st.path("running_on").path(0).asText()));
                long at = poller.highest();
                await("segments from " + home).atMost(Duration.ofSeconds(20)).until(() -> poller.highest() >= at + 3);
                assertThat(poller.missing()).as("numbers a player missed across the fail-back").isEmpty();
                assertThat(poller.conflicts()).as("numbers listed by %s and %s", away, home).isEmpty();
                assertThat(poller.problems()).isEmpty();
            }
            assertThat(api.get("/api/v1/events?type=handoff_complete&stream=" + stream).json().path("events").size())
                    .isGreaterThanOrEqualTo(1);
        } finally {
            api.delete("/api/v1/streams/" + stream);
        }
    }
}
