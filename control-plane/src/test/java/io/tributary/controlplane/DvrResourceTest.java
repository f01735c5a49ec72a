package io.tributary.controlplane;

import static io.tributary.controlplane.TestApi.admin;
import static io.tributary.controlplane.TestApi.agent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** DVR ranges from agent reports: stored per stream and server, shown, looked up by agents, deleted on request. */
@QuarkusTest
class DvrResourceTest {

    static Response report(String host, String dvrJson) {
        return agent().body("{\"public_payload_url\":\"http://127.0.0.1:9/" + host + "\",\"private_payload_url\":\"http://10.0.0.1:9/"
                        + host + "\",\"roles\":[\"ingest\",\"edge\"],\"streams\":[],\"dvr\":" + dvrJson + "}")
                .put("/api/v1/agents/" + host);
    }

    static String dvr(String name, long from, long to) {
        return "{\"name\":\"" + name + "\",\"from\":" + from + ",\"depth\":" + (to - from) + ",\"ranges\":[[" + from + ","
                + to + "]],\"bytes\":1000}";
    }

    @Test
    void rangesAreStoredShownLookedUpAndDeletedOnRequest() {
        String id = UUID.randomUUID().toString().substring(0, 6);
        String name = "dvr/" + id;
        String a = "dvr-a-" + id;
        String b = "dvr-b-" + id;
        admin().get("/api/v1/streams/" + name + "/dvr").then().statusCode(404)
                .body("message", containsString("has no DVR recording"));
        report(a, "[" + dvr(name, 1000, 1100) + "]").then().statusCode(200);
        report(b, "[" + dvr(name, 1103, 1200) + "]").then().statusCode(200);

        JsonPath shown = admin().get("/api/v1/streams/" + name + "/dvr").then().statusCode(200).extract().jsonPath();
        assertThat(shown.getList("servers.hostname")).containsExactly(a, b);
        assertThat(shown.getList("servers.private_url")).containsExactly("http://10.0.0.1:9/" + a, "http://10.0.0.1:9/" + b);
        assertThat(shown.getList("ranges")).hasSize(2);
        assertThat(shown.getLong("bytes")).isEqualTo(2000);

        // agents look it up with the cluster key; the admin API is not for them
        JsonPath looked = agent().queryParam("stream", name).get("/api/v1/agents/" + a + "/dvr").then().statusCode(200)
                .extract().jsonPath();
        assertThat(looked.getList("servers.hostname")).containsExactly(a, b);
        agent().queryParam("stream", "bad name").get("/api/v1/agents/" + a + "/dvr").then().statusCode(400);
        agent().get("/api/v1/streams/" + name + "/dvr").then().statusCode(403);

        // the agent's death keeps its rows; a report without the stream (retention emptied it) drops them
        report(b, "[]").then().statusCode(200);
        assertThat(admin().get("/api/v1/streams/" + name + "/dvr").then().statusCode(200).extract().jsonPath()
                .getList("servers.hostname")).containsExactly(a);

        // the stream was never created here: ?dvr=true still deletes its archive; without it, 404
        admin().delete("/api/v1/streams/" + name).then().statusCode(404);
        admin().delete("/api/v1/streams/" + name + "?dvr=true").then().statusCode(204);
        List<String> delete = report(a, "[" + dvr(name, 1000, 1100) + "]").then().statusCode(200).extract().jsonPath()
                .getList("dvr_delete");
        assertThat(delete).containsExactly(name);
        admin().get("/api/v1/streams/" + name + "/dvr").then().statusCode(404);
        report(a, "[]").then().statusCode(200);
        assertThat(report(a, "[]").then().extract().jsonPath().getList("dvr_delete")).isNull();
    }

    @Test
    void deletingAStreamKeepsItsArchiveUnlessAsked() {
        String name = "keep-" + UUID.randomUUID().toString().substring(0, 6);
        String host = "dvr-k-" + name.substring(5);
        admin().body(TestApi.stream("fake://x")).put("/api/v1/streams/" + name).then().statusCode(200);
        report(host, "[" + dvr(name, 5000, 5060) + "]").then().statusCode(200);
        admin().delete("/api/v1/streams/" + name).then().statusCode(204);
        admin().get("/api/v1/streams/" + name + "/dvr").then().statusCode(200);
        assertThat(report(host, "[" + dvr(name, 5000, 5060) + "]").then().extract().jsonPath().getList("dvr_delete")).isNull();
    }

    /** A report as the capturing agent sends it: in its own group, with its DVR list. */
    static Response reportFrom(String host, String url, String group, String dvrJson) {
        return agent().body("{\"api_url\":\"" + url + "\",\"public_payload_url\":\"" + url + "\",\"roles\":[\"ingest\",\"edge\"],"
                + "\"group\":\"" + group + "\",\"channel_limit\":100000,\"streams\":[],\"dvr\":" + dvrJson + "}")
                .put("/api/v1/agents/" + host);
    }

    @Test
    void theCapturingServersDvrErrorShowsInTheStreamsStatsUntilRecordingWorksAgain() throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 6);
        String host = "dvr-e-" + id;
        String name = "dvr-err-" + id;
        String group = "gdvr" + id;
        // the "agent" accepts connections, so it counts as alive; only its reports matter
        try (java.net.ServerSocket port = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            String url = "http://127.0.0.1:" + port.getLocalPort();
            reportFrom(host, url, group, "[]").then().statusCode(200);
            admin().body("{\"inputs\":[{\"url\":\"fake://x\"}],\"dvr\":{\"expiration\":3600},"
                    + "\"cluster_ingest\":{\"capture_at\":\"" + host + "\"},\"labels\":{\"group\":\"" + group + "\"}}")
                    .put("/api/v1/streams/" + name).then().statusCode(200);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> host.equals(admin().get("/api/v1/streams/" + name).then().extract().jsonPath()
                            .getString("stats.assigned_to")));
            assertThat(admin().get("/api/v1/streams/" + name).then().extract().jsonPath().getString("stats.dvr_error"))
                    .isNull();

            String full = "dvr_disk_full: only 1000 bytes free on the DVR disk";
            reportFrom(host, url, group, "[{\"name\":\"" + name + "\",\"from\":1000,\"depth\":60,\"ranges\":[[1000,1060]],"
                    + "\"bytes\":1000,\"error\":\"" + full + "\"}]").then().statusCode(200);
            JsonPath st = admin().get("/api/v1/streams/" + name).then().statusCode(200).extract().jsonPath();
            assertThat(st.getString("stats.dvr_error")).isEqualTo(full);
            // the list shows it too
            assertThat(admin().queryParam("q", name).get("/api/v1/streams").then().statusCode(200).extract().jsonPath()
                    .getString("streams[0].stats.dvr_error")).isEqualTo(full);

            // another server keeping an old part with an error of its own does not count
            reportFrom("dvr-o-" + id, url, group, "[{\"name\":\"" + name + "\",\"from\":900,\"depth\":60,"
                    + "\"ranges\":[[900,960]],\"bytes\":10,\"error\":\"dvr_write_failed: old\"}]").then().statusCode(200);
            reportFrom(host, url, group, "[" + dvr(name, 1000, 1070) + "]").then().statusCode(200);
            assertThat(admin().get("/api/v1/streams/" + name).then().extract().jsonPath().getString("stats.dvr_error"))
                    .isNull();
        }
    }

    @Test
    void aStreamNamedDvrIsStillReadable() {
        String base = "cam-" + UUID.randomUUID().toString().substring(0, 6);
        admin().body(TestApi.stream("fake://x")).put("/api/v1/streams/" + base + "/dvr").then().statusCode(200);
        admin().get("/api/v1/streams/" + base + "/dvr").then().statusCode(200)
                .body("name", org.hamcrest.Matchers.equalTo(base + "/dvr"));
    }
}
