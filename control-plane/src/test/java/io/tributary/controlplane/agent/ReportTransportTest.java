package io.tributary.controlplane.agent;

import static io.tributary.controlplane.TestApi.CLUSTER_KEY;
import static io.tributary.controlplane.TestApi.admin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A report's body is read on the event loop for HTTP/1.1 (ReportArrivals); an h2c client is
 * still answered (RESTEasy reads its body itself), and a body over the limit is refused with
 * 413 without touching the reports of others.
 */
@QuarkusTest
class ReportTransportTest {
    @TestHTTPResource("/")
    URL base;

    static String body(String host) {
        return "{\"public_payload_url\":\"http://127.0.0.1:9/" + host + "\",\"roles\":[\"ingest\",\"edge\"],"
                + "\"stats\":{\"output_kbit\":1000},\"streams\":[]}";
    }

    HttpResponse<String> put(HttpClient.Version version, String host, String body) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(version).connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(base.toString()).resolve("/api/v1/agents/" + host))
                .header("Authorization", "Bearer " + CLUSTER_KEY).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30)).PUT(HttpRequest.BodyPublishers.ofString(body)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void http11AndH2cReportsAreBothAnswered() throws Exception {
        for (HttpClient.Version v : HttpClient.Version.values()) {
            String host = "transport-" + v.name().toLowerCase().replace('_', '-') + "-" + UUID.randomUUID().toString().substring(0, 8);
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = put(v, host, body(host));
                assertThat(r.statusCode()).as(v + " report " + i + ": " + r.body()).isEqualTo(200);
                assertThat(r.body()).contains("config_etag");
            }
            admin().get("/api/v1/servers/" + host).then().statusCode(200).body("status", equalTo("up"));
        }
    }

    @Test
    void aReportOverTheBodyLimitIsRefusedAndOthersGoOn() throws Exception {
        String host = "huge-" + UUID.randomUUID().toString().substring(0, 8);
        StringBuilder big = new StringBuilder("{\"streams\":[],\"padding\":\"");
        while (big.length() < ReportArrivals.MAX_REPORT_BYTES + 1024) {
            big.append("0123456789abcdef".repeat(1024));
        }
        big.append("\"}");
        HttpResponse<String> r = put(HttpClient.Version.HTTP_1_1, host, big.toString());
        assertThat(r.statusCode()).isEqualTo(413);
        admin().get("/api/v1/servers/" + host).then().statusCode(404);

        String other = "after-huge-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(put(HttpClient.Version.HTTP_1_1, other, body(other)).statusCode()).isEqualTo(200);
    }
}
