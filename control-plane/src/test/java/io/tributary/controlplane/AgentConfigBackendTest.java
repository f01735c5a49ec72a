package io.tributary.controlplane;

import static io.tributary.controlplane.TestApi.admin;
import static io.tributary.controlplane.TestApi.agent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Agents report over REST (as a real agent would), get their streams from the config backend, and are fenced. */
@QuarkusTest
class AgentConfigBackendTest {

    static String id() {
        return UUID.randomUUID().toString().substring(0, 6);
    }

    static Response report(String host, String streamsJson) {
        return agent().body("{\"public_payload_url\":\"http://127.0.0.1:9/" + host + "\",\"roles\":[\"ingest\",\"edge\"],\"channel_limit\":100000,"
                        + "\"stats\":{\"cpu_usage\":12.5,\"output_kbit\":3000,\"total_clients\":2,\"online_streams\":1},"
                        + "\"streams\":" + streamsJson + "}")
                .put("/api/v1/agents/" + host);
    }

    static String running(String name, long generation, long mediaSequence) {
        return "{\"name\":\"" + name + "\",\"generation\":" + generation + ",\"status\":\"running\",\"bitrate_in\":3000000,"
                + "\"lifetime\":5000,\"media_sequence\":" + mediaSequence + ",\"discontinuity_sequence\":0,"
                + "\"has_segment\":true,\"media_info\":{\"tracks\":[{\"content\":\"video\",\"codec\":\"h264\",\"width\":1280,"
                + "\"height\":720}]}}";
    }

    static JsonPath config(String host) {
        return agent().queryParam("host", host).get("/config-external/streams").then().statusCode(200).extract().jsonPath();
    }

    /** A simulated agent that keeps reporting in the background, as a real one does. */
    static final class SimAgent implements AutoCloseable {
        final String host;
        volatile String streams = "[]";
        final java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        volatile Response last;

        SimAgent(String host) {
            this.host = host;
            last = report(host, streams);
            timer.scheduleWithFixedDelay(() -> {
                try {
                    last = report(host, streams);
                } catch (RuntimeException ignored) {
                    // the next tick tries again
                }
            }, 300, 300, java.util.concurrent.TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() {
            timer.shutdownNow();
            try {
                timer.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void reportRegistersAndStreamIsAssignedRunsAndFailsOver() {
        String a = "sim-a-" + id();
        String b = "sim-b-" + id();
        String stream = "cam-" + id();
        try (SimAgent simB = new SimAgent(b)) {
            long generation;
            try (SimAgent simA = new SimAgent(a)) {
                simA.last.then().statusCode(200).body("report_interval_ms", equalTo(1000)).body("lease_ms", equalTo(10000));
                admin().get("/api/v1/servers/" + a).then().statusCode(200).body("status", equalTo("up"))
                        .body("stats.cpu_usage", equalTo(12.5f));

                admin().body("{\"inputs\":[{\"url\":\"fake://x\"}],\"cluster_ingest\":{\"capture_at\":\"" + a + "\"}}")
                        .put("/api/v1/streams/" + stream).then().statusCode(200);
                generation = await("assigned to " + a).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                        .until(() -> config(a).<Map<String, Object>>getList("streams").stream()
                                .filter(m -> stream.equals(m.get("name")))
                                .map(m -> ((Number) ((Map<?, ?>) m.get("assignment")).get("generation")).longValue())
                                .findFirst().orElse(0L), g -> g > 0);
                assertThat(config(b).getList("streams.name")).doesNotContain(stream);

                simA.streams = "[" + running(stream, generation, 41) + "]";
                report(a, simA.streams).then().statusCode(200).body("stop", org.hamcrest.Matchers.empty()).body("peers.hostname", hasItem(b));
                admin().get("/api/v1/streams/" + stream).then().statusCode(200)
                        .body("stats.status", equalTo("running")).body("stats.running_on", equalTo(List.of(a)))
                        .body("stats.generation", equalTo((int) generation))
                        .body("stats.media_info.tracks[0].width", equalTo(1280));

                // b claims an old generation of the stream: it is told to stop it (fencing).
                report(b, "[" + running(stream, generation - 1, 3) + "]").then().statusCode(200).body("stop", hasItem(stream));
            }
            // a goes silent (its reporter is closed); b keeps reporting: a is marked down and the
            // stream moves to b with a new generation.
            JsonPath moved = await("failover to " + b).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> config(b), c -> c.getList("streams.name").contains(stream));
            Map<String, Object> assignment = moved.getMap("streams.find { it.name == '" + stream + "' }.assignment");
            assertThat(((Number) assignment.get("generation")).longValue()).isGreaterThan(generation);
            assertThat(((Number) assignment.get("media_sequence")).longValue()).as("continues after 41").isGreaterThan(41);
            admin().get("/api/v1/servers/" + a).then().body("status", equalTo("down"));
            admin().queryParam("stream", stream).get("/api/v1/events").then().body("events.type", hasItem("failover"));
            admin().queryParam("server", a).get("/api/v1/events").then().body("events.type", hasItem("server_down"));

            // a comes back still running the old generation: it is told to stop at once.
            report(a, "[" + running(stream, generation, 44) + "]").then().statusCode(200).body("stop", hasItem(stream));
        }
    }

    @Test
    void aReportsNewNumbersAreWrittenBehindAndAChangeOfStatusAtOnce() {
        String a = "behind-" + id();
        String stream = "behind-cam-" + id();
        try (SimAgent sim = new SimAgent(a)) {
            admin().body("{\"inputs\":[{\"url\":\"fake://x\"}],\"cluster_ingest\":{\"capture_at\":\"" + a + "\"}}")
                    .put("/api/v1/streams/" + stream).then().statusCode(200);
            long generation = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> config(a).<Map<String, Object>>getList("streams").stream()
                            .filter(m -> stream.equals(m.get("name")))
                            .map(m -> ((Number) ((Map<?, ?>) m.get("assignment")).get("generation")).longValue())
                            .findFirst().orElse(0L), g -> g > 0);
            sim.streams = "[" + running(stream, generation, 10) + "]";
            report(a, sim.streams).then().statusCode(200);
            // A new row: written by the report itself.
            admin().get("/api/v1/streams/" + stream).then().body("stats.status", equalTo("running"))
                    .body("stats.lifetime", equalTo(5000));

            // Same capture, new numbers: written behind, soon.
            sim.streams = "[" + running(stream, generation, 11).replace("\"lifetime\":5000", "\"lifetime\":6000") + "]";
            report(a, sim.streams).then().statusCode(200);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
                    admin().get("/api/v1/streams/" + stream).then().body("stats.lifetime", equalTo(6000)));

            // A change of status: visible as soon as the report is answered, and not undone by a later flush.
            sim.streams = "[{\"name\":\"" + stream + "\",\"generation\":" + generation
                    + ",\"status\":\"error\",\"last_error\":\"input gone\",\"media_sequence\":12}]";
            report(a, sim.streams).then().statusCode(200);
            admin().get("/api/v1/streams/" + stream).then().body("stats.status", equalTo("error"));
            await().during(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    admin().get("/api/v1/streams/" + stream).then().body("stats.status", equalTo("error"))
                            .body("stats.last_error", equalTo("input gone")));
            admin().delete("/api/v1/streams/" + stream).then().statusCode(org.hamcrest.Matchers.lessThan(300));
        }
    }

    @Test
    void unchangedConfigCostsA304AndAHostsETagFollowsItsOwnStreamsOnly() {
        String host = "etag-" + id();
        String group = "etag-group-" + id();
        // In a group of its own, so no other test's stream lands here.
        String body = "{\"public_payload_url\":\"http://127.0.0.1:9/" + host + "\",\"roles\":[\"ingest\"],\"group\":\"" + group
                + "\",\"channel_limit\":10,\"streams\":[]}";
        agent().body(body).put("/api/v1/agents/" + host).then().statusCode(200);
        Response first = agent().queryParam("host", host).get("/config-external/streams");
        assertThat(first.statusCode()).isEqualTo(200);
        String etag = first.getHeader("ETag");
        assertThat(etag).isNotBlank();
        assertThat(agent().body(body).put("/api/v1/agents/" + host).then().statusCode(200).extract().path("config_etag")
                .toString()).as("the report carries the host's ETag").isEqualTo(etag);
        Response second = agent().header("If-None-Match", etag).queryParam("host", host).get("/config-external/streams");
        assertThat(second.statusCode()).isEqualTo(304);

        // A change elsewhere in the cluster is not this host's: its agents need not poll.
        admin().body("{\"inputs\":[{\"url\":\"fake://x\"}],\"disabled\":true}").put("/api/v1/streams/etag-other-" + id())
                .then().statusCode(200);
        assertThat(agent().header("If-None-Match", etag).queryParam("host", host).get("/config-external/streams").statusCode())
                .isEqualTo(304);

        // A stream placed here changes it, in the report's answer and on the poll alike.
        String mine = "etag-mine-" + id();
        admin().body("{\"inputs\":[{\"url\":\"fake://x\"}],\"cluster_ingest\":{\"capture_at\":\"" + host
                + "\"},\"labels\":{\"group\":\"" + group + "\"}}").put("/api/v1/streams/" + mine).then().statusCode(200);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Response third = agent().header("If-None-Match", etag).queryParam("host", host).get("/config-external/streams");
            assertThat(third.statusCode()).isEqualTo(200);
            assertThat(third.getHeader("ETag")).isNotEqualTo(etag);
            assertThat(third.jsonPath().getList("streams.name")).containsExactly(mine);
            assertThat(agent().body(body).put("/api/v1/agents/" + host).then().statusCode(200).extract().path("config_etag")
                    .toString()).isEqualTo(third.getHeader("ETag"));
        });
    }

    @Test
    void nameLookupReturnsKnownStreamsWhateverTheirPlacement() {
        String x = "named-" + id();
        admin().body("{\"inputs\":[{\"url\":\"fake://x\"}],\"static\":false,\"title\":\"On demand\"}")
                .put("/api/v1/streams/" + x).then().statusCode(200);
        JsonPath r = agent().queryParam("host", "any").queryParam("name", x + ",does-not-exist")
                .get("/config-external/streams").then().statusCode(200).extract().jsonPath();
        assertThat(r.getList("streams.name")).containsExactly(x);
        assertThat(r.getString("streams[0].title")).isEqualTo("On demand");
        assertThat(r.getBoolean("streams[0].static")).isFalse();
        assertThat(r.getLong("estimated_count")).isEqualTo(1);
        String raw = agent().queryParam("name", x).get("/config-external/streams").asString();
        assertThat(raw).doesNotContain("\"position\"", "\"named_by\"", "\"template\"", "\"stats\"");
        agent().get("/config-external/streams").then().statusCode(400).body("field", equalTo("host"));
    }

    @Test
    void pagingThroughNamesIsStableWhileStreamsAreAdded() {
        String prefix = "pg" + id();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            names.add(prefix + "-" + String.format("%02d", i));
            admin().body(TestApi.stream("fake://" + i)).put("/api/v1/streams/" + names.get(i)).then().statusCode(200);
        }
        Set<String> seen = new HashSet<>();
        String cursor = null;
        int page = 0;
        do {
            var req = agent().queryParam("name", String.join(",", names)).queryParam("limit", 5);
            if (cursor != null) {
                req = req.queryParam("cursor", cursor);
            }
            JsonPath r = req.get("/config-external/streams").then().statusCode(200).extract().jsonPath();
            for (String n : r.<String>getList("streams.name")) {
                assertThat(seen.add(n)).as("twice: %s", n).isTrue();
            }
            cursor = r.getString("next");
            if (page++ == 0) {
                // Added while paging, before the cursor: does not shift the pages after it.
                admin().body(TestApi.stream("fake://late")).put("/api/v1/streams/" + prefix + "-00a").then().statusCode(200);
            }
        } while (cursor != null);
        assertThat(seen).containsAll(names);
        agent().queryParam("host", "h").queryParam("cursor", "bogus").get("/config-external/streams").then().statusCode(400);
    }

    @Test
    void configExternalErrorIsShownUnderTheServerUntilItClears() {
        String host = "cfgerr-" + id();
        agent().body("{\"streams\":[],\"config_external_error\":{\"reason\":\"malformed_json\",\"detail\":\"line 1\",\"since\":1}}")
                .put("/api/v1/agents/" + host).then().statusCode(200);
        admin().get("/api/v1/servers/" + host).then().statusCode(200)
                .body("config_external_error.reason", equalTo("malformed_json"));
        agent().body("{\"streams\":[]}").put("/api/v1/agents/" + host).then().statusCode(200);
        admin().get("/api/v1/servers/" + host).then().statusCode(200)
                .body("config_external_error", org.hamcrest.Matchers.nullValue());
    }
}
