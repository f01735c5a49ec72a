package io.tributary.controlplane;

import static io.tributary.controlplane.TestApi.admin;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ServerResourceTest {

    @Test
    void createDrainUndrainDelete() {
        admin().body("{\"api_url\":\"http://10.0.0.5:8090\",\"public_payload_url\":\"http://edge5.example:8090\","
                        + "\"private_payload_url\":\"http://10.0.0.5:8090\",\"roles\":[\"edge\"],\"group\":\"eu\","
                        + "\"channel_limit\":40,\"max_bitrate\":1000000000}")
                .put("/api/v1/servers/edge5").then().statusCode(200)
                .body("hostname", equalTo("edge5")).body("roles", hasItem("edge")).body("group", equalTo("eu"))
                .body("status", equalTo("down")).body("schedulable", equalTo("eligible"))
                .body("channel_limit", equalTo(40));
        admin().get("/api/v1/servers").then().statusCode(200).body("servers.hostname", hasItem("edge5"));
        admin().post("/api/v1/servers/edge5/drain").then().statusCode(200).body("schedulable", equalTo("draining"));
        admin().get("/api/v1/events?server=edge5").then().body("events.type", hasItems("server_created", "server_drain"));
        admin().post("/api/v1/servers/edge5/undrain").then().statusCode(200).body("schedulable", equalTo("eligible"));
        admin().delete("/api/v1/servers/edge5").then().statusCode(204);
        admin().get("/api/v1/servers/edge5").then().statusCode(404);
        admin().post("/api/v1/servers/edge5/drain").then().statusCode(404);
    }

    @Test
    void badServerFieldsAreNamed() {
        admin().body("{\"roles\":[\"origin\"]}").put("/api/v1/servers/s1").then().statusCode(400).body("field", equalTo("roles"));
        admin().body("{\"roles\":[]}").put("/api/v1/servers/s1").then().statusCode(400).body("field", equalTo("roles"));
        admin().body("{\"api_url\":\"ftp://x\"}").put("/api/v1/servers/s1").then().statusCode(400).body("field", equalTo("api_url"));
        admin().body("{\"channel_limit\":-3}").put("/api/v1/servers/s1").then().statusCode(400)
                .body("field", equalTo("channel_limit"));
        admin().body("{\"max_bitrate\":\"fast\"}").put("/api/v1/servers/s1").then().statusCode(400)
                .body("field", equalTo("max_bitrate"));
        admin().body("{}").put("/api/v1/servers/bad_host!").then().statusCode(400).body("field", equalTo("hostname"));
        admin().get("/api/v1/servers/s1").then().statusCode(404);
    }

    @Test
    void clusterSummaryCountsByState() {
        admin().body("{}").put("/api/v1/servers/summary-a").then().statusCode(200);
        admin().get("/api/v1/cluster").then().statusCode(200)
                .body("servers.total", org.hamcrest.Matchers.greaterThanOrEqualTo(1))
                .body("scheduler_leader", org.hamcrest.Matchers.startsWith("tributary-control-plane@"));
        admin().delete("/api/v1/servers/summary-a").then().statusCode(204);
    }
}
