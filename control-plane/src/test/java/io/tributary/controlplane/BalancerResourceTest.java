package io.tributary.controlplane;

import static io.restassured.RestAssured.given;
import static io.tributary.controlplane.TestApi.admin;
import static io.tributary.controlplane.TestApi.agent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.config.RedirectConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class BalancerResourceTest {
    static final RestAssuredConfig NO_FOLLOW = RestAssuredConfig.config().redirect(RedirectConfig.redirectConfig().followRedirects(false));

    @Test
    void redirectsToAnEdgeKeepingPathAndQuery() {
        String host = "lb-" + UUID.randomUUID().toString().substring(0, 6);
        String stream = "lbcam-" + UUID.randomUUID().toString().substring(0, 6) + "/hd";
        admin().body(TestApi.stream("fake://x")).put("/api/v1/streams/" + stream).then().statusCode(200);
        // Every other server is down or edge-less in this test's database view only if we make ours the one that reports.
        Response r = await("redirect").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
            agent().body("{\"public_payload_url\":\"http://" + host + ".example:8090\",\"roles\":[\"edge\"],\"streams\":[]}")
                    .put("/api/v1/agents/" + host).then().statusCode(200);
            return given().config(NO_FOLLOW).get("/lb/" + stream + "/index.m3u8?token=abc&x=1");
        }, res -> res.statusCode() == 302 && res.getHeader("Location").contains(host));
        assertThat(r.getHeader("Location")).isEqualTo("http://" + host + ".example:8090/" + stream + "/index.m3u8?token=abc&x=1");
        Response head = given().config(NO_FOLLOW).head("/lb/" + stream + "/mpegts");
        assertThat(head.statusCode()).isEqualTo(302);
    }

    @Test
    void unknownAndDisabledStreamsAre404() {
        given().config(NO_FOLLOW).get("/lb/no-such-stream/index.m3u8").then().statusCode(404);
        given().config(NO_FOLLOW).get("/lb/index.m3u8").then().statusCode(404);
        String off = "lboff-" + UUID.randomUUID().toString().substring(0, 6);
        admin().body("{\"inputs\":[{\"url\":\"fake://x\"}],\"disabled\":true}").put("/api/v1/streams/" + off).then().statusCode(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            Response r = given().config(NO_FOLLOW).get("/lb/" + off + "/index.m3u8");
            return r.statusCode() == 404 && r.asString().contains("disabled");
        });
    }

    static void edge(String host, String roles) {
        agent().body("{\"public_payload_url\":\"http://" + host + ".example\",\"roles\":[" + roles + "],\"streams\":[]}")
                .put("/api/v1/agents/" + host).then().statusCode(200);
    }

    static String location(String stream) {
        Response r = given().config(NO_FOLLOW).get("/lb/" + stream + "/index.m3u8");
        return r.statusCode() == 302 ? r.getHeader("Location") : "status " + r.statusCode();
    }

    @Test
    void pinsOverridesAndWeightsAreHonouredAndAudited() {
        String id = UUID.randomUUID().toString().substring(0, 6);
        String p1 = "pin1-" + id;
        String p2 = "pin2-" + id;
        String ingestOnly = "ing-" + id;
        String pinned = "pinned-" + id;
        String overridden = "over-" + id;
        admin().body(TestApi.stream("fake://x")).put("/api/v1/streams/" + pinned).then().statusCode(200);
        admin().body(TestApi.stream("fake://x")).put("/api/v1/streams/" + overridden).then().statusCode(200);
        String etag = admin().get("/api/v1/balancer").then().statusCode(200).extract().header("ETag");
        admin().header("If-Match", etag).body("{\"mode\":\"clients\",\"weights\":{\"" + p1 + "\":3},"
                        + "\"streams\":{\"" + pinned + "\":{\"servers\":[\"" + p2 + "\"]},"
                        + "\"" + overridden + "\":{\"servers\":[\"" + ingestOnly + "\"],\"override\":true}}}")
                .put("/api/v1/balancer").then().statusCode(200).body("mode", org.hamcrest.Matchers.equalTo("clients"));
        admin().header("If-Match", etag).body("{}").put("/api/v1/balancer").then().statusCode(409);
        for (int i = 0; i < 20; i++) {
            assertThat(await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
                edge(p1, "\"edge\"");
                edge(p2, "\"edge\"");
                edge(ingestOnly, "\"ingest\"");
                return location(pinned);
            }, l -> l.startsWith("http"))).startsWith("http://" + p2 + ".example/");
            assertThat(await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> location(overridden), l -> l.startsWith("http"))).startsWith("http://" + ingestOnly + ".example/");
        }
        admin().queryParam("type", "balancer_updated").get("/api/v1/events").then().statusCode(200)
                .body("events.size()", org.hamcrest.Matchers.greaterThanOrEqualTo(1));
        admin().body("{}").put("/api/v1/balancer").then().statusCode(200);
    }

    @Test
    void badBalancerSettingsNameTheField() {
        admin().body("{\"mode\":\"fastest\"}").put("/api/v1/balancer").then().statusCode(400)
                .body("field", org.hamcrest.Matchers.equalTo("mode"));
        admin().body("{\"weights\":{\"e1\":0}}").put("/api/v1/balancer").then().statusCode(400)
                .body("field", org.hamcrest.Matchers.equalTo("weights.e1"));
        admin().body("{\"streams\":{\"cam\":{\"servers\":[]}}}").put("/api/v1/balancer").then().statusCode(400)
                .body("field", org.hamcrest.Matchers.equalTo("streams.cam.servers"));
        admin().body("{\"groups\":{\"eu\":{\"override\":true}}}").put("/api/v1/balancer").then().statusCode(400)
                .body("field", org.hamcrest.Matchers.equalTo("groups.eu.servers"));
        TestApi.as("nobody").get("/api/v1/balancer").then().statusCode(401);
    }

    static void edgeWithLoad(String host, long outputKbit, int clients) {
        agent().body("{\"public_payload_url\":\"http://" + host + ".example\",\"roles\":[\"edge\"],\"max_bitrate\":1000000000,"
                        + "\"stats\":{\"output_kbit\":" + outputKbit + ",\"total_clients\":" + clients + "},\"streams\":[]}")
                .put("/api/v1/agents/" + host).then().statusCode(200);
    }

    @Test
    void burstSpreadsDrainedAndDownServersGetNobodyAndNoServerIs503() throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 6);
        String a = "ba-" + id;
        String b = "bb-" + id;
        String c = "bc-" + id;
        String stream = "burst-" + id;
        admin().body(TestApi.stream("fake://x")).put("/api/v1/streams/" + stream).then().statusCode(200);
        admin().body("{\"streams\":{\"" + stream + "\":{\"servers\":[\"" + a + "\",\"" + b + "\",\"" + c + "\"]}}}")
                .put("/api/v1/balancer").then().statusCode(200);
        try {
            // The three keep reporting equal load (as agents do, every 500 ms here); the burst of
            // 1,000 viewers arrives meanwhile, from 8 clients at once.
            java.util.concurrent.ScheduledExecutorService reporter = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
            reporter.scheduleWithFixedDelay(() -> {
                try {
                    edgeWithLoad(a, 100_000, 10);
                    edgeWithLoad(b, 100_000, 10);
                    edgeWithLoad(c, 100_000, 10);
                } catch (RuntimeException | AssertionError ignored) {
                    // next tick
                }
            }, 0, 500, java.util.concurrent.TimeUnit.MILLISECONDS);
            java.util.Map<String, Integer> count = new java.util.concurrent.ConcurrentHashMap<>();
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> location(stream).startsWith("http"));
                java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
                java.util.List<java.util.concurrent.Future<?>> fs = new java.util.ArrayList<>();
                for (int i = 0; i < 1000; i++) {
                    fs.add(pool.submit(() -> {
                        String l = location(stream);
                        count.merge(l.startsWith("http") ? l.substring(7, l.indexOf(".example")) : l, 1, Integer::sum);
                    }));
                }
                for (var f : fs) {
                    f.get();
                }
                pool.shutdown();
            } finally {
                reporter.shutdownNow();
            }
            double mean = 1000.0 / 3;
            int max = count.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
            assertThat(count.keySet()).containsExactlyInAnyOrder(a, b, c);
            assertThat(max / mean).as("max/mean of %s", count).isLessThanOrEqualTo(1.15);

            // A drained server gets no new viewers.
            admin().post("/api/v1/servers/" + b + "/drain").then().statusCode(200);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
                edgeWithLoad(a, 100_000, 10);
                edgeWithLoad(c, 100_000, 10);
                for (int i = 0; i < 30; i++) {
                    if (location(stream).contains(b)) {
                        return false;
                    }
                }
                return true;
            });
            // Nobody reports any more: all three go down, and the stream's viewers get 503 with Retry-After.
            Response unavailable = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                    .until(() -> given().config(NO_FOLLOW).get("/lb/" + stream + "/index.m3u8"), r -> r.statusCode() == 503);
            assertThat(unavailable.getHeader("Retry-After")).isNotBlank();
            assertThat(unavailable.jsonPath().getString("error")).isEqualTo("unavailable");
        } finally {
            admin().body("{}").put("/api/v1/balancer").then().statusCode(200);
        }
    }
}
