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

    @Test
    void aStreamNamedDvrIsStillReadable() {
        String base = "cam-" + UUID.randomUUID().toString().substring(0, 6);
        admin().body(TestApi.stream("fake://x")).put("/api/v1/streams/" + base + "/dvr").then().statusCode(200);
        admin().get("/api/v1/streams/" + base + "/dvr").then().statusCode(200)
                .body("name", org.hamcrest.Matchers.equalTo(base + "/dvr"));
    }
}
