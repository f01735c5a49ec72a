package io.tributary.controlplane.ui;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.tributary.controlplane.TestApi;
import org.junit.jupiter.api.Test;

@QuarkusTest
class UiSessionResourceTest {

    private static Response signIn(String token) {
        return given().header("X-Tributary-UI", "1").contentType(ContentType.JSON)
                .body("{\"token\":\"" + token + "\"}").post("/ui/session");
    }

    @Test
    void adminTokenBecomesAnHttpOnlyStrictCookieThatTheApiAccepts() {
        Response r = signIn(TestApi.ADMIN);
        r.then().statusCode(200).body("authenticated", equalTo(true)).body("role", equalTo("admin"));
        String setCookie = r.getHeader("Set-Cookie");
        assertThat(setCookie).startsWith("tributary_session=" + TestApi.ADMIN + ";")
                .contains("HttpOnly").contains("SameSite=Strict").contains("Path=/");
        assertThat(r.getHeader("Cache-Control")).contains("no-store");

        given().header("X-Tributary-UI", "1").cookie("tributary_session", TestApi.ADMIN).get("/ui/session")
                .then().statusCode(200).body("role", equalTo("admin"));
        given().header("X-Tributary-UI", "1").cookie("tributary_session", TestApi.ADMIN).get("/api/v1/servers")
                .then().statusCode(200);
    }

    @Test
    void viewerTokenSignsInAsViewer() {
        String viewer = TestApi.admin().body("{\"name\":\"ui-test-viewer\",\"role\":\"viewer\"}").post("/api/v1/tokens")
                .then().extract().path("token");
        signIn(viewer).then().statusCode(200).body("role", equalTo("viewer"));
    }

    @Test
    void clusterKeyAndUnknownTokensAreRefused() {
        signIn(TestApi.CLUSTER_KEY).then().statusCode(401).body("field", equalTo("token"));
        signIn("nope").then().statusCode(401).body("error", equalTo("unauthorized"));
        signIn("a;b").then().statusCode(401);
        given().header("X-Tributary-UI", "1").contentType(ContentType.JSON).body("{}").post("/ui/session")
                .then().statusCode(400).body("field", equalTo("token"));
    }

    @Test
    void withoutTheUiHeaderNothingHappens() {
        // A cross-site form cannot add the header: no login CSRF, no cookie.
        Response r = given().contentType(ContentType.JSON).body("{\"token\":\"" + TestApi.ADMIN + "\"}").post("/ui/session");
        r.then().statusCode(400);
        assertThat(r.getHeader("Set-Cookie")).isNull();
    }

    @Test
    void signedOutSessionAnswersAndSignOutExpiresTheCookie() {
        given().header("X-Tributary-UI", "1").get("/ui/session")
                .then().statusCode(200).body("authenticated", equalTo(false));
        given().header("X-Tributary-UI", "1").cookie("tributary_session", TestApi.CLUSTER_KEY).get("/ui/session")
                .then().statusCode(200).body("authenticated", equalTo(false));
        Response out = given().header("X-Tributary-UI", "1").delete("/ui/session");
        out.then().statusCode(200);
        assertThat(out.getHeader("Set-Cookie")).startsWith("tributary_session=;").contains("Max-Age=0").contains("HttpOnly");
    }

    @Test
    void theUiIsServedAtTheRoot() {
        given().get("/").then().statusCode(200).body(org.hamcrest.Matchers.containsString("<title>Cluster · Tributary</title>"));
        given().get("/vendor/hls/hls.min.js").then().statusCode(200);
        given().get("/vendor/hls/LICENSE").then().statusCode(200);
    }
}
