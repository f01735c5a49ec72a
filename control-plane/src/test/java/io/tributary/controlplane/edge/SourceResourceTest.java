package io.tributary.controlplane.edge;

import static io.tributary.controlplane.TestApi.admin;
import static io.tributary.controlplane.TestApi.agent;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import io.restassured.path.json.JsonPath;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The source lookup of restreaming, and pulls in reports: a pull is never a capture (no fencing,
 * not in running_on), on-demand streams are placed when looked up and stopped without demand.
 */
@QuarkusTest
class SourceResourceTest {
    static String id() {
        return UUID.randomUUID().toString().substring(0, 6);
    }

    static Response report(String host, String streams, String pulls) {
        return agent().body("{\"public_payload_url\":\"http://127.0.0.1:9/" + host + "\",\"private_payload_url\":"
                        + "\"http://10.0.0.9/" + host + "\",\"roles\":[\"ingest\",\"edge\"],\"channel_limit\":100000,"
                        + "\"streams\":" + streams + (pulls == null ? "" : ",\"pulls\":" + pulls) + "}")
                .put("/api/v1/agents/" + host);
    }

    static JsonPath source(String asker, String name) {
        return agent().get("/api/v1/agents/" + asker + "/sources/" + name).then().statusCode(200).extract().jsonPath();
    }

    static long assignedGeneration(String host, String stream) {
        return await("assigned to " + host).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> agent().queryParam("host", host).get("/config-external/streams").then().extract().jsonPath()
                        .<Map<String, Object>>getList("streams").stream().filter(m -> stream.equals(m.get("name")))
                        .map(m -> ((Number) ((Map<?, ?>) m.get("assignment")).get("generation")).longValue())
                        .findFirst().orElse(0L), g -> g > 0);
    }

    /** A periodic reporter must survive one failed report, as a real agent does. */
    static void quietly(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException ignored) {
            // the next tick reports again
        }
    }

    @Test
    void unknownStreamsAre404AndTheLookupNeedsTheClusterKey() {
        agent().get("/api/v1/agents/e-" + id() + "/sources/nope-" + id()).then().statusCode(404)
                .body("error", equalTo("not_found"));
        admin().get("/api/v1/agents/e/sources/x").then().statusCode(403);
    }

    @Test
    void theSourceIsTheCapturingServerAndAPullIsNeverACapture() {
        String src = "src-" + id();
        String edge = "edge-" + id();
        String stream = "rs-" + id();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            java.util.concurrent.atomic.AtomicReference<String> reported = new java.util.concurrent.atomic.AtomicReference<>("[]");
            timer.scheduleWithFixedDelay(() -> quietly(() -> report(src, reported.get(), null)), 0, 300, TimeUnit.MILLISECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> "up".equals(admin().get("/api/v1/servers/" + src)
                    .then().extract().path("status")));
            admin().body("{\"inputs\":[{\"url\":\"fake://x\"}],\"cluster_ingest\":{\"capture_at\":\"" + src + "\"}}")
                    .put("/api/v1/streams/" + stream).then().statusCode(200);
            long gen = assignedGeneration(src, stream);
            reported.set("[{\"name\":\"" + stream + "\",\"generation\":" + gen + ",\"status\":\"running\","
                    + "\"has_segment\":true,\"online_clients\":1}]");
            await().atMost(Duration.ofSeconds(10)).until(() -> source(edge, stream).getBoolean("ready"));
            JsonPath s = source(edge, stream);
            org.assertj.core.api.Assertions.assertThat(s.getString("hostname")).isEqualTo(src);
            org.assertj.core.api.Assertions.assertThat(s.getString("private_url")).isEqualTo("http://10.0.0.9/" + src);
            org.assertj.core.api.Assertions.assertThat(s.getLong("generation")).isEqualTo(gen);
            org.assertj.core.api.Assertions.assertThat(s.getString("config.inputs[0].url")).isEqualTo("fake://x");

            // The edge reports its pull (generation null): not fenced, not a capture, shown apart.
            String pull = "[{\"name\":\"" + stream + "\",\"status\":\"running\",\"online_clients\":7,"
                    + "\"active_input\":\"http://10.0.0.9/" + src + "/" + stream + "/mpegts\"}]";
            // The report answer tells the edge where what it pulls is captured now (sources).
            report(edge, "[]", pull).then().statusCode(200).body("stop", empty())
                    .body("sources[0].name", equalTo(stream)).body("sources[0].hostname", equalTo(src))
                    .body("sources[0].private_url", equalTo("http://10.0.0.9/" + src))
                    .body("sources[0].generation", equalTo((int) gen)).body("sources[0].ready", equalTo(true));
            admin().get("/api/v1/streams/" + stream).then().statusCode(200)
                    .body("stats.running_on", equalTo(List.of(src)))
                    .body("stats.pulled_by[0].hostname", equalTo(edge))
                    .body("stats.pulled_by[0].online_clients", equalTo(7))
                    .body("stats.pulled_by[0].status", equalTo("running"));
            // The pull ends: it is gone from the stream, the capture is untouched.
            report(edge, "[]", "[]").then().statusCode(200).body("sources", nullValue());
            admin().get("/api/v1/streams/" + stream).then().body("stats.pulled_by", nullValue())
                    .body("stats.running_on", equalTo(List.of(src)));
        } finally {
            timer.shutdownNow();
        }
    }

    @Test
    void anOnDemandStreamIsPlacedWhenLookedUpAndStoppedWithoutDemand() {
        String src = "ods-" + id();
        String stream = "od-" + id();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            timer.scheduleWithFixedDelay(() -> quietly(() -> report(src, "[]", null)), 0, 300, TimeUnit.MILLISECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> "up".equals(admin().get("/api/v1/servers/" + src)
                    .then().extract().path("status")));
            admin().body("{\"inputs\":[{\"url\":\"fake://x\"}],\"static\":false,\"clients_timeout\":2,"
                    + "\"cluster_ingest\":{\"capture_at\":\"" + src + "\"}}").put("/api/v1/streams/" + stream)
                    .then().statusCode(200);
            // Not placed until someone asks.
            await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() ->
                    admin().get("/api/v1/streams/" + stream).then().extract().path("stats.assigned_to") == null);
            String edge = "edge-" + id();
            JsonPath first = source(edge, stream);
            org.assertj.core.api.Assertions.assertThat(first.getBoolean("ready")).isFalse();
            // An edge asks again while it waits (each ask is demand) until the stream has a server.
            await("placed on demand").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> source(edge, stream).getString("hostname"), src::equals);
            org.assertj.core.api.Assertions.assertThat(agent().queryParam("host", src).get("/config-external/streams")
                    .then().extract().jsonPath().getList("streams.name")).contains(stream);
            // Nobody watches (no lookups, no viewers reported): stopped after clients_timeout.
            await("stopped without demand").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                    .until(() -> admin().get("/api/v1/streams/" + stream).then().extract().path("stats.assigned_to") == null);
        } finally {
            timer.shutdownNow();
        }
    }

    @Test
    void aRungOfATranscodedStreamIsLookedUpAsACopyOfItsStreamsSource() {
        String src = "tr-" + id();
        String stream = "abr-" + id();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            java.util.concurrent.atomic.AtomicReference<String> reported = new java.util.concurrent.atomic.AtomicReference<>("[]");
            timer.scheduleWithFixedDelay(() -> quietly(() -> report(src, reported.get(), null)), 0, 300, TimeUnit.MILLISECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> "up".equals(admin().get("/api/v1/servers/" + src)
                    .then().extract().path("status")));
            admin().body("{\"inputs\":[{\"url\":\"fake://x\"}],\"segment_duration\":1500,\"clients_timeout\":9,"
                    + "\"cluster_ingest\":{\"capture_at\":\"" + src + "\"},\"transcoder\":{\"video\":["
                    + "{\"bitrate\":400000,\"size\":{\"width\":320,\"height\":180}},"
                    + "{\"bitrate\":200000,\"size\":{\"width\":160,\"height\":90}}]}}")
                    .put("/api/v1/streams/" + stream).then().statusCode(200);
            long gen = assignedGeneration(src, stream);
            reported.set("[{\"name\":\"" + stream + "\",\"generation\":" + gen + ",\"status\":\"running\","
                    + "\"has_segment\":true}]");
            String edge = "edge-" + id();
            await().atMost(Duration.ofSeconds(10)).until(() -> source(edge, stream + "/v2").getBoolean("ready"));
            JsonPath rung = source(edge, stream + "/v2");
            org.assertj.core.api.Assertions.assertThat(rung.getString("name")).isEqualTo(stream + "/v2");
            org.assertj.core.api.Assertions.assertThat(rung.getString("hostname")).isEqualTo(src);
            org.assertj.core.api.Assertions.assertThat(rung.getLong("generation")).isEqualTo(gen);
            org.assertj.core.api.Assertions.assertThat(rung.getString("config.name")).isEqualTo(stream + "/v2");
            org.assertj.core.api.Assertions.assertThat(rung.getString("config.transcoder")).isNull();
            org.assertj.core.api.Assertions.assertThat(rung.getInt("config.segment_duration")).isEqualTo(1500);
            org.assertj.core.api.Assertions.assertThat(rung.getInt("config.clients_timeout")).isEqualTo(9);
            // No such rung, or a stream without a transcoder: no such stream.
            agent().get("/api/v1/agents/" + edge + "/sources/" + stream + "/v3").then().statusCode(404);
            agent().get("/api/v1/agents/" + edge + "/sources/nope-" + id() + "/v1").then().statusCode(404);
        } finally {
            timer.shutdownNow();
        }
    }
}
