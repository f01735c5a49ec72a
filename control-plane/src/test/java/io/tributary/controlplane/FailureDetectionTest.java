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
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Fast death detection (a silent server whose agent port refuses connections goes down before
 * failover_timeout; one that accepts, or does not answer, waits for it) and the hand-off cut-over
 * (the old owner lists segments up to just before the new owner's first, and is stopped only once
 * it has listed them and the new owner has a segment).
 */
@QuarkusTest
class FailureDetectionTest {

    static String id() {
        return UUID.randomUUID().toString().substring(0, 6);
    }

    static Response report(String host, String url, String streamsJson) {
        // Each test's servers are in a group of their own (the group is taken at registration).
        String group = host.substring(host.lastIndexOf('-') + 1);
        return agent().body("{\"api_url\":\"" + url + "\",\"public_payload_url\":\"" + url + "\",\"roles\":[\"ingest\",\"edge\"],"
                        + "\"group\":\"g" + group + "\",\"channel_limit\":100000,\"streams\":" + streamsJson + "}")
                .put("/api/v1/agents/" + host);
    }

    static String running(String name, long generation, long mediaSequence) {
        return "{\"name\":\"" + name + "\",\"generation\":" + generation + ",\"status\":\"running\",\"media_sequence\":"
                + mediaSequence + ",\"discontinuity_sequence\":0,\"has_segment\":true}";
    }

    /** Reports every 300 ms until closed, one report at a time as an agent does. */
    static final class Reporter implements AutoCloseable {
        final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        final java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
        volatile String streams = "[]";
        volatile List<String> lastStop = List.of();

        Reporter(String host, String url) {
            report(host, url, streams).then().statusCode(200);
            timer.scheduleWithFixedDelay(() -> {
                try {
                    String sent = streams;
                    Response r = report(host, url, sent);
                    if (r.statusCode() == 200) {
                        lastStop = r.jsonPath().getList("stop");
                        if (sent.equals(streams)) {
                            count.incrementAndGet();
                        }
                    }
                } catch (RuntimeException ignored) {
                    // next tick
                }
            }, 300, 300, TimeUnit.MILLISECONDS);
        }

        /** Waits until {@code n} more reports of the current streams were answered. */
        void awaitReports(int n) {
            int at = count.get();
            await().atMost(Duration.ofSeconds(30)).until(() -> count.get() >= at + n);
        }

        @Override
        public void close() throws InterruptedException {
            timer.shutdownNow();
            timer.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    static Map<String, Object> downEvent(String host) {
        return await("server_down of " + host).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> admin().queryParam("server", host).queryParam("type", "server_down").get("/api/v1/events")
                        .then().statusCode(200).extract().jsonPath().<Map<String, Object>>getList("events"),
                        l -> !l.isEmpty()).get(0);
    }

    @Test
    void aSilentServerWhosePortRefusesIsDownAtOnceWithTheReason() throws Exception {
        String host = "dead-" + id();
        int freePort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            freePort = s.getLocalPort();
        }
        try (Reporter r = new Reporter(host, "http://127.0.0.1:" + freePort)) {
            admin().get("/api/v1/servers/" + host).then().body("status", equalTo("up"));
        }
        Map<String, Object> down = downEvent(host);
        assertThat((String) down.get("message")).contains("refused the connection");
    }

    @Test
    void aSilentServerThatStillAcceptsConnectionsWaitsForTheFailoverTimeout() throws Exception {
        String host = "hung-" + id();
        try (ServerSocket listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            try (Reporter r = new Reporter(host, "http://127.0.0.1:" + listening.getLocalPort())) {
                admin().get("/api/v1/servers/" + host).then().body("status", equalTo("up"));
            }
            Map<String, Object> down = downEvent(host);
            assertThat((String) down.get("message")).doesNotContain("refused");
            assertThat(((Number) down.get("duration_ms")).longValue()).as("silence before down")
                    .isGreaterThanOrEqualTo(3000);
        }
    }

    @Test
    void reportsThatArriveButFailKeepAServerUpForALeaseAndNoLonger() throws Exception {
        // An arrived report counts as a sign of life while it waits for a thread (ReportArrivals),
        // but one that arrives and fails every time is no capture anyone can watch: down after
        // lease_ms (10 s) since the last answered one, not failover_timeout (3 s).
        String host = "broken-" + id();
        try (ServerSocket listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            report(host, "http://127.0.0.1:" + listening.getLocalPort(), "[]").then().statusCode(200);
            ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
            java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
            timer.scheduleWithFixedDelay(() -> {
                try {
                    if (agent().body("{\"streams\":5}").put("/api/v1/agents/" + host).statusCode() == 400) {
                        refused.incrementAndGet();
                    }
                } catch (RuntimeException ignored) {
                    // next tick
                }
            }, 0, 300, TimeUnit.MILLISECONDS);
            try {
                Map<String, Object> down = downEvent(host);
                assertThat(refused.get()).as("bad reports answered 400").isGreaterThan(10);
                assertThat(((Number) down.get("duration_ms")).longValue()).as("silence before down")
                        .isGreaterThanOrEqualTo(10_000);
            } finally {
                timer.shutdownNow();
            }
        }
    }

    private static void count(Reporter r) {
        r.awaitReports(3);
    }

    static JsonPath config(String host) {
        return agent().queryParam("host", host).get("/config-external/streams").then().statusCode(200).extract().jsonPath();
    }

    static Map<String, Object> assignmentOf(String host, String stream) {
        return config(host).getMap("streams.find { it.name == '" + stream + "' }.assignment");
    }

    @Test
    void drainStopsTheOldOwnerOnlyAfterItListedTheSegmentBeforeTheNewOwnersFirst() throws Exception {
        String group = id();
        String a = "cut-a-" + group;
        String b = "cut-b-" + group;
        String stream = "cut-" + group;
        // Both "agents" accept connections (alive), so only the reports matter.
        try (ServerSocket portA = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             ServerSocket portB = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             Reporter ra = new Reporter(a, "http://127.0.0.1:" + portA.getLocalPort());
             Reporter rb = new Reporter(b, "http://127.0.0.1:" + portB.getLocalPort())) {
            admin().body("{\"inputs\":[{\"url\":\"fake://x\"}],\"cluster_ingest\":{\"capture_at\":\"" + a + "\"},"
                    + "\"labels\":{\"group\":\"g" + group + "\"}}").put("/api/v1/streams/" + stream).then().statusCode(200);
            long genA = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> assignmentOf(a, stream), m -> m != null && ((Number) m.get("generation")).longValue() > 0)
                    .get("generation") instanceof Number n ? n.longValue() : 0;
            ra.streams = "[" + running(stream, genA, 50) + "]";
            count(ra);

            admin().post("/api/v1/servers/" + a + "/drain").then().statusCode(200);
            Map<String, Object> toB = await("hand-off to " + b).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> assignmentOf(b, stream), m -> m != null);
            long genB = ((Number) toB.get("generation")).longValue();
            long first = ((Number) toB.get("media_sequence")).longValue();
            assertThat(first).as("the new owner continues after 50").isGreaterThan(50);
            Map<String, Object> old = assignmentOf(a, stream);
            assertThat(((Number) old.get("generation")).longValue()).isEqualTo(genA);
            assertThat(((Number) old.get("last_media_sequence")).longValue()).isEqualTo(first - 1);

            // The new owner has a segment, the old one has not reached first - 1: the old keeps running.
            rb.streams = "[" + running(stream, genB, first) + "]";
            if (first - 1 > 50) {
                count(rb);
                count(ra);
                assertThat(ra.lastStop).doesNotContain(stream);
                assertThat(admin().queryParam("type", "handoff_complete").queryParam("stream", stream).get("/api/v1/events")
                        .then().extract().jsonPath().getList("events")).isEmpty();
            }
            // The old owner lists first - 1: the hand-off completes and the old owner is told to stop.
            ra.streams = "[" + running(stream, genA, first - 1) + "]";
            await("old owner stopped").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> ra.lastStop.contains(stream));
            admin().queryParam("type", "handoff_complete").queryParam("stream", stream).get("/api/v1/events")
                    .then().body("events.size()", equalTo(1));
            assertThat(config(a).getList("streams.name")).doesNotContain(stream);
            admin().post("/api/v1/servers/" + a + "/undrain").then().statusCode(200);
            admin().delete("/api/v1/streams/" + stream);
            ra.streams = "[]";
            rb.streams = "[]";
            assertThat(List.of(genA, genB)).doesNotHaveDuplicates();
        }
    }
}
