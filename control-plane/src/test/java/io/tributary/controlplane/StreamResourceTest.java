package io.tributary.controlplane;

import static io.restassured.RestAssured.given;
import static io.tributary.controlplane.TestApi.admin;
import static io.tributary.controlplane.TestApi.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

@QuarkusTest
class StreamResourceTest {

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void createGetReplaceDelete() {
        String name = unique("cam") + "/main";
        admin().body("{\"title\":\"Lobby\",\"inputs\":[{\"url\":\"fake://lobby\",\"priority\":1,\"source_timeout\":5}],"
                        + "\"segment_duration\":2000,\"segment_count\":6,\"dvr\":{\"expiration\":3600},"
                        + "\"cluster_ingest\":{\"capture_at\":\"worker-1\"},\"labels\":{\"site\":\"a\"}}")
                .put("/api/v1/streams/" + name)
                .then().statusCode(200)
                .header("ETag", notNullValue())
                .body("name", equalTo(name))
                .body("title", equalTo("Lobby"))
                .body("inputs[0].url", equalTo("fake://lobby"))
                .body("inputs[0].source_timeout", equalTo(5))
                .body("cluster_ingest.capture_at", equalTo("worker-1"))
                .body("static", equalTo(null))
                .body("stats.status", notNullValue());

        admin().get("/api/v1/streams/" + name).then().statusCode(200).body("dvr.expiration", equalTo(3600));

        admin().body(stream("udp://239.0.0.1:1234")).put("/api/v1/streams/" + name)
                .then().statusCode(200).body("inputs[0].url", equalTo("udp://239.0.0.1:1234")).body("title", equalTo(null));

        admin().post("/api/v1/streams/" + name + "/restart").then().statusCode(200);
        admin().delete("/api/v1/streams/" + name).then().statusCode(204);
        admin().get("/api/v1/streams/" + name).then().statusCode(404).body("error", equalTo("not_found"));
        admin().delete("/api/v1/streams/" + name).then().statusCode(404);
    }

    @Test
    void eventsRecordChanges() {
        String name = unique("ev");
        admin().body(stream("fake://x")).put("/api/v1/streams/" + name).then().statusCode(200);
        int id = admin().queryParam("stream", name).get("/api/v1/events")
                .then().statusCode(200).body("events.type", hasItem("stream_created")).extract().path("events[0].id");
        admin().body(stream("fake://y")).put("/api/v1/streams/" + name).then().statusCode(200);
        admin().delete("/api/v1/streams/" + name).then().statusCode(204);
        // A follower asks for what came after the id it saw: oldest first.
        Response after = admin().queryParam("stream", name).queryParam("after", id).get("/api/v1/events");
        List<String> types = after.jsonPath().getList("events.type");
        List<Integer> ids = after.jsonPath().getList("events.id");
        assertThat(types).containsSubsequence("stream_updated", "stream_deleted").doesNotContain("stream_created");
        assertThat(ids).isSorted().allMatch(i -> i > id);
    }

    @Test
    void validationErrorsNameTheField() {
        expect400("bad name!", stream("fake://x"), "name");
        expect400(unique("s"), stream("gopher://x"), "inputs[0].url");
        expect400(unique("s"), "{\"inputs\":[]}", "inputs");
        expect400(unique("s"), "{\"inputs\":[{\"url\":\"fake://x\"}],\"segment_duration\":-5}", "segment_duration");
        expect400(unique("s"), "{\"inputs\":[{\"url\":\"fake://x\"}],\"segment_count\":100000000}", "segment_count");
        expect400(unique("s"), "{\"inputs\":[{\"url\":\"fake://x\",\"source_timeout\":-1}]}", "inputs[0].source_timeout");
        expect400(unique("s"), "{\"inputs\":[{\"url\":\"fake://x\"}],\"segment_duration\":\"long\"}", "segment_duration");
        expect400(unique("s"), "{\"inputs\":\"fake://x\"}", "inputs");
        expect400(unique("s"), "{\"inputs\":[{\"url\":\"fake://x\"}],\"colour\":\"red\"}", "colour");
        expect400(unique("s"), "{\"inputs\":[{\"url\":\"fake://x\"}],\"transcoder\":{\"video\":[{\"bitrate\":0}]}}",
                "transcoder.video[0].bitrate");
        expect400(unique("s"), "{\"inputs\":[{\"url\":\"fake://x\"}],\"transcoder\":{\"video\":[{\"bitrate\":1000000,\"codec\":\"vp9\"}]}}",
                "transcoder.video[0].codec");
        expect400(unique("s"), "{\"inputs\":[{\"url\":\"fake://x\"}],\"transcoder\":{\"video\":[{\"bitrate\":1000000,\"preset\":\"warp\"}]}}",
                "transcoder.video[0].preset");
        expect400(unique("s"), "{\"name\":\"other\",\"inputs\":[{\"url\":\"fake://x\"}]}", "name");
        expect400(unique("s") + "//double", stream("fake://x"), "name");
        expect400("x".repeat(129), stream("fake://x"), "name");

        Response malformed = admin().body("{\"inputs\": [").put("/api/v1/streams/" + unique("s"));
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.jsonPath().getString("error")).isEqualTo("malformed_json");
        assertThat(malformed.jsonPath().getString("message")).contains("not valid JSON");
    }

    @Test
    void everyViolationIsListedNotOnlyTheFirst() {
        String name = unique("many");
        Response r = admin().body("{\"inputs\":[{\"url\":\"gopher://x\"}],\"segment_duration\":5,\"segment_count\":1}")
                .put("/api/v1/streams/" + name);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.jsonPath().getString("field")).isEqualTo("inputs[0].url");
        assertThat(r.jsonPath().getList("errors.field", String.class))
                .containsExactly("inputs[0].url", "segment_duration", "segment_count");
        assertThat(r.jsonPath().getList("errors.message", String.class)).allSatisfy(m -> assertThat(m).isNotBlank());
        admin().get("/api/v1/streams/" + name).then().statusCode(404);
        // One violation: no errors list, the body stays as it was.
        Response one = admin().body(stream("gopher://x")).put("/api/v1/streams/" + name);
        assertThat(one.jsonPath().getString("field")).isEqualTo("inputs[0].url");
        assertThat(one.jsonPath().getList("errors")).isNull();
    }

    private static void expect400(String name, String body, String field) {
        Response r = admin().body(body).put("/api/v1/streams/" + name);
        assertThat(r.statusCode()).as("status for %s", body).isEqualTo(400);
        assertThat(r.jsonPath().getString("error")).isEqualTo("invalid");
        if (field != null) {
            assertThat(r.jsonPath().getString("field")).as("field for %s", body).isEqualTo(field);
        }
        assertThat(r.jsonPath().getString("message")).isNotBlank();
        if (io.tributary.api.stream.StreamValidation.checkName(name) == null) {
            admin().get("/api/v1/streams/" + name).then().statusCode(404);
        }
    }

    @Test
    void ifMatchDetectsLostRace() {
        String name = unique("race");
        String etag = admin().body(stream("fake://a")).put("/api/v1/streams/" + name).then().statusCode(200)
                .extract().header("ETag");
        // Two editors read the same version; the first write wins, the second gets 409.
        admin().header("If-Match", etag).body(stream("fake://b")).put("/api/v1/streams/" + name).then().statusCode(200);
        admin().header("If-Match", etag).body(stream("fake://c")).put("/api/v1/streams/" + name)
                .then().statusCode(409).body("error", equalTo("conflict"));
        admin().get("/api/v1/streams/" + name).then().body("inputs[0].url", equalTo("fake://b"));
        admin().header("If-Match", etag).delete("/api/v1/streams/" + name).then().statusCode(409);
        // If-None-Match: * creates only.
        admin().header("If-None-Match", "*").body(stream("fake://d")).put("/api/v1/streams/" + name)
                .then().statusCode(409).body("message", org.hamcrest.Matchers.containsString("already exists"));
        admin().header("If-None-Match", "*").body(stream("fake://d")).put("/api/v1/streams/" + name + "-new")
                .then().statusCode(200);
    }

    @Test
    void concurrentEditsWithSameVersionOnlyOneWins() throws Exception {
        String name = unique("conc");
        String etag = admin().body(stream("fake://a")).put("/api/v1/streams/" + name).then().extract().header("ETag");
        int writers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            String url = "fake://w" + i;
            results.add(pool.submit(() -> {
                start.await();
                return admin().header("If-Match", etag).body(stream(url)).put("/api/v1/streams/" + name).statusCode();
            }));
        }
        start.countDown();
        List<Integer> codes = new ArrayList<>();
        for (Future<Integer> f : results) {
            codes.add(f.get());
        }
        pool.shutdown();
        assertThat(codes).filteredOn(c -> c == 200).hasSize(1);
        assertThat(codes).filteredOn(c -> c == 409).hasSize(writers - 1);
    }

    @Test
    void cursorPagingVisitsEveryStreamOnce() {
        String prefix = unique("page");
        Set<String> created = new HashSet<>();
        for (int i = 0; i < 25; i++) {
            String n = prefix + "-" + String.format("%02d", i);
            admin().body(stream("fake://" + i)).put("/api/v1/streams/" + n).then().statusCode(200);
            created.add(n);
        }
        Set<String> seen = new HashSet<>();
        String cursor = null;
        int pages = 0;
        do {
            var req = admin().queryParam("limit", 7).queryParam("q", prefix);
            if (cursor != null) {
                req = req.queryParam("cursor", cursor);
            }
            Response r = req.get("/api/v1/streams");
            assertThat(r.statusCode()).isEqualTo(200);
            List<String> names = r.jsonPath().getList("streams.name");
            assertThat(names.size()).isLessThanOrEqualTo(7);
            for (String n : names) {
                assertThat(seen.add(n)).as("seen twice: %s", n).isTrue();
            }
            cursor = r.jsonPath().getString("next");
            pages++;
        } while (cursor != null);
        assertThat(seen).isEqualTo(created);
        assertThat(pages).isEqualTo(4);
        admin().queryParam("cursor", "garbage!").get("/api/v1/streams").then().statusCode(400).body("field", equalTo("cursor"));
        admin().queryParam("limit", 0).get("/api/v1/streams").then().statusCode(400).body("field", equalTo("limit"));
    }

    @Test
    void openApiHealthAndMetricsAreServed() {
        given().get("/q/health").then().statusCode(200);
        given().get("/q/openapi").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
    }

    /** Writers of streams and the scheduler pass placing them take their locks in one order: no deadlock, never a 500. */
    @Test
    void putAndDeleteRacingTheSchedulerNeverFail() throws Exception {
        String host = "race-" + UUID.randomUUID().toString().substring(0, 6);
        TestApi.agent().body("{\"public_payload_url\":\"http://127.0.0.1:9/" + host + "\",\"roles\":[\"ingest\"],\"streams\":[]}")
                .put("/api/v1/agents/" + host).then().statusCode(200);
        int writers = 4;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<Future<List<Integer>>> results = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            String prefix = host + "-w" + w + "-";
            results.add(pool.submit(() -> {
                List<Integer> codes = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    codes.add(admin().body(stream("fake://x")).put("/api/v1/streams/" + prefix + i).statusCode());
                    codes.add(admin().delete("/api/v1/streams/" + prefix + i).statusCode());
                }
                return codes;
            }));
        }
        List<Integer> all = new ArrayList<>();
        for (Future<List<Integer>> f : results) {
            all.addAll(f.get());
        }
        pool.shutdown();
        assertThat(all).hasSize(writers * 20).allMatch(c -> c == 200 || c == 201 || c == 204);
    }
}
