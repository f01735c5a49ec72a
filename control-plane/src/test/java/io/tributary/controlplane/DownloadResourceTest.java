package io.tributary.controlplane;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
class DownloadResourceTest {

    @Test
    void installScriptIsServedWithThisControlPlanesUrl() {
        String script = given().get("/install/worker.sh").then().statusCode(200).extract().asString();
        assertThat(script).startsWith("#!/bin/sh").doesNotContain("@CONTROL_PLANE_URL@").contains("http://localhost:");
    }

    @Test
    void agentJarIsServedOrExplainedWhenMissing() {
        var r = given().get("/downloads/worker-agent.jar");
        assertThat(r.statusCode()).isIn(200, 404);
        if (r.statusCode() == 200) {
            byte[] b = r.asByteArray();
            assertThat(b[0]).isEqualTo((byte) 'P');
            assertThat(b[1]).isEqualTo((byte) 'K');
        } else {
            assertThat(r.asString()).contains("TRIBUTARY_AGENT_JAR");
        }
    }
}
