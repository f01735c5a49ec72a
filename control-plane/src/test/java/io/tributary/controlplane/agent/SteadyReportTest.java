package io.tributary.controlplane.agent;

import static io.tributary.controlplane.TestApi.admin;
import static io.tributary.controlplane.TestApi.agent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The steady report: once a host's report changes nothing but numbers it is answered from memory
 * (counted at /q/metrics), its stream rows are written at most every report-stream-write-ms, and
 * a report that changes something still goes the full way at once.
 */
@QuarkusTest
class SteadyReportTest {
    @Inject
    MeterRegistry registry;
    @Inject
    ReportBuffer buffer;
    @Inject
    AgroalDataSource db;

    static Response report(String host, String streamsJson) {
        return agent().body("{\"public_payload_url\":\"http://127.0.0.1:9/" + host + "\",\"roles\":[\"ingest\",\"edge\"],"
                        + "\"channel_limit\":100000,\"stats\":{\"output_kbit\":1000},\"streams\":" + streamsJson + "}")
                .put("/api/v1/agents/" + host);
    }

    static String running(String name, long generation, long seq) {
        return "[{\"name\":\"" + name + "\",\"generation\":" + generation + ",\"status\":\"running\",\"media_sequence\":" + seq
                + ",\"discontinuity_sequence\":0,\"has_segment\":true}]";
    }

    double count(String path) {
        return registry.counter("tributary.agent.reports", "path", path).count();
    }

    long storedSequence(String stream, String host) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement st = c.prepareStatement(
                "SELECT CAST(report->>'media_sequence' AS bigint) FROM stream_reports WHERE stream_name = ? AND hostname = ?")) {
            st.setString(1, stream);
            st.setString(2, host);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }

    @Test
    void steadyReportsAreQuickAndTheirRowsWrittenAtTheirPace() throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 6);
        String host = "steady-" + id;
        String stream = "steady-cam-" + id;
        report(host, "[]").then().statusCode(200);
        admin().body("{\"inputs\":[{\"url\":\"fake://x\"}],\"cluster_ingest\":{\"capture_at\":\"" + host + "\"}}")
                .put("/api/v1/streams/" + stream).then().statusCode(200);
        long generation = await("assigned").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> agent().queryParam("host", host).get("/config-external/streams").then().statusCode(200)
                        .extract().jsonPath().<Map<String, Object>>getList("streams").stream()
                        .filter(m -> stream.equals(m.get("name")))
                        .map(m -> ((Number) ((Map<?, ?>) m.get("assignment")).get("generation")).longValue())
                        .findFirst().orElse(0L), g -> g > 0);

        // The stream appears running: a change, written at once by the full path.
        double full0 = count("full");
        report(host, running(stream, generation, 10)).then().statusCode(200);
        assertThat(count("full")).isGreaterThan(full0);
        assertThat(storedSequence(stream, host)).isEqualTo(10);

        // Only its numbers move: answered from memory, the row keeps its pace (5 s by default).
        double quick0 = count("quick");
        report(host, running(stream, generation, 11)).then().statusCode(200);
        assertThat(count("quick")).as("a report with only new numbers is answered from memory").isEqualTo(quick0 + 1);
        buffer.flush();
        assertThat(storedSequence(stream, host)).as("a steady row written just now waits for its pace").isEqualTo(10);
        // ...and is written once its time has come.
        await("steady row written").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> storedSequence(stream, host) == 11);

        // A change of status goes the full way and is written at once.
        full0 = count("full");
        report(host, "[{\"name\":\"" + stream + "\",\"generation\":" + generation + ",\"status\":\"error\"}]")
                .then().statusCode(200);
        assertThat(count("full")).isGreaterThan(full0);
        try (Connection c = db.getConnection(); PreparedStatement st = c.prepareStatement(
                "SELECT status FROM stream_reports WHERE stream_name = ? AND hostname = ?")) {
            st.setString(1, stream);
            st.setString(2, host);
            try (ResultSet rs = st.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("error");
            }
        }
    }
}
