package io.tributary.controlplane;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/** Request builders with the test profile's secrets (see application.properties, %test). */
public final class TestApi {
    public static final String ADMIN = "test-admin-token";
    public static final String CLUSTER_KEY = "test-cluster-key";

    private TestApi() {
    }

    public static RequestSpecification admin() {
        return given().header("Authorization", "Bearer " + ADMIN).contentType(ContentType.JSON);
    }

    public static RequestSpecification as(String token) {
        return given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON);
    }

    public static RequestSpecification agent() {
        return given().header("Authorization", "Bearer " + CLUSTER_KEY).contentType(ContentType.JSON);
    }

    /** A minimal valid stream body. */
    public static String stream(String input) {
        return "{\"inputs\":[{\"url\":\"" + input + "\"}]}";
    }
}
