package io.tributary.controlplane;

import static io.restassured.RestAssured.given;
import static io.tributary.controlplane.TestApi.admin;
import static io.tributary.controlplane.TestApi.agent;
import static io.tributary.controlplane.TestApi.as;
import static io.tributary.controlplane.TestApi.stream;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

@QuarkusTest
class AuthTest {

    @Test
    void noTokenOrBadTokenIs401() {
        given().get("/api/v1/streams").then().statusCode(401).body("error", equalTo("unauthorized"));
        as("wrong").get("/api/v1/streams").then().statusCode(401);
        given().header("Authorization", "Basic abc").get("/api/v1/servers").then().statusCode(401);
        given().contentType(ContentType.JSON).body(stream("fake://x")).put("/api/v1/streams/noauth").then().statusCode(401);
        admin().get("/api/v1/streams/noauth").then().statusCode(404);
    }

    @Test
    void viewerReadsButCannotWrite() {
        String viewer = admin().body("{\"name\":\"ops-dashboard\",\"role\":\"viewer\"}").post("/api/v1/tokens")
                .then().statusCode(201).body("token", startsWith("trb_")).body("role", equalTo("viewer"))
                .extract().path("token");
        as(viewer).get("/api/v1/streams").then().statusCode(200);
        as(viewer).get("/api/v1/servers").then().statusCode(200);
        as(viewer).get("/api/v1/events").then().statusCode(200);
        as(viewer).get("/api/v1/cluster").then().statusCode(200);
        as(viewer).body(stream("fake://x")).put("/api/v1/streams/viewer-write")
                .then().statusCode(403).body("error", equalTo("forbidden"));
        as(viewer).post("/api/v1/servers/any/drain").then().statusCode(403);
        as(viewer).get("/api/v1/tokens").then().statusCode(403);
        admin().get("/api/v1/streams/viewer-write").then().statusCode(404);
    }

    @Test
    void tokensAreListedWithoutSecretsAndCanBeRevoked() {
        var created = admin().body("{\"name\":\"ci\",\"role\":\"admin\"}").post("/api/v1/tokens").then().statusCode(201)
                .extract();
        String secret = created.path("token");
        int id = created.path("id");
        as(secret).get("/api/v1/streams").then().statusCode(200);
        admin().get("/api/v1/tokens").then().statusCode(200).body("tokens.name", hasItem("ci"))
                .body("tokens.token", not(hasItem(notNullValue())))
                .body("tokens.find { it.id == " + id + " }.last_used_at", notNullValue());
        admin().delete("/api/v1/tokens/" + id).then().statusCode(204);
        as(secret).get("/api/v1/streams").then().statusCode(401);
        admin().delete("/api/v1/tokens/" + id).then().statusCode(404);
        admin().body("{\"name\":\"x\",\"role\":\"root\"}").post("/api/v1/tokens").then().statusCode(400)
                .body("field", equalTo("role"));
        admin().body("{\"role\":\"viewer\"}").post("/api/v1/tokens").then().statusCode(400).body("field", equalTo("name"));
    }

    @Test
    void clusterKeyIsOnlyForAgents() {
        agent().get("/api/v1/streams").then().statusCode(403);
        admin().body("{}").put("/api/v1/agents/worker-x").then().statusCode(403);
        given().contentType(ContentType.JSON).body("{}").put("/api/v1/agents/worker-x").then().statusCode(401);
        given().get("/config-external/streams?host=a").then().statusCode(401);
        agent().get("/config-external/streams?host=a").then().statusCode(200);
        admin().get("/config-external/streams?host=a").then().statusCode(200);
    }
}
