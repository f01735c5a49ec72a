package io.tributary.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.tributary.api.Json;
import io.tributary.api.agent.AgentReportResponse;
import io.tributary.api.agent.StreamReport;
import io.tributary.api.agent.StreamSource;
import io.tributary.api.configbackend.ConfigBackendStreams;
import io.tributary.api.stream.InputConfig;
import io.tributary.api.stream.StreamConfig;

/**
 * An edge agent against a stub control plane: a source that refuses the pull shows up as a clear
 * error in the pull's report (the stream's {@code pulled_by} stats) and in the viewer's 503; and
 * when the report answer says the stream moved, the pull follows it at once, although the source
 * lookup still names the refusing server.
 */
class EdgePullTest {
    @TempDir
    Path dir;
    @TempDir
    Path srcDir;

    private final ObjectMapper json = Json.mapper();
    private volatile StreamSource placement;

    private void send(HttpExchange ex, int code, Object body) throws IOException {
        byte[] b = body instanceof String str ? str.getBytes() : json.writeValueAsBytes(body);
        ex.getResponseHeaders().add("Content-Type", body instanceof String ? "text/plain" : "application/json");
        ex.sendResponseHeaders(code, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    @Test
    void aRefusingSourceIsAClearErrorAndAReportedMoveIsFollowedAtOnce() throws Exception {
        HttpServer cp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        String cpUrl = "http://127.0.0.1:" + cp.getAddress().getPort();
        StreamConfig config = new StreamConfig("x", null, List.of(new InputConfig("fake://x")), true, 30, null, null,
                null, null, 1000, 4, null, null, null);
        StreamSource refusing = new StreamSource("x", "src-a", cpUrl, cpUrl, 1L, true, null, config);
        placement = refusing;
        cp.createContext("/config-external/streams", ex -> send(ex, 200, new ConfigBackendStreams(List.of(), null, null, 0L)));
        cp.createContext("/api/v1/agents/", ex -> {
            if (ex.getRequestURI().getPath().contains("/sources/")) {
                send(ex, 200, refusing); // the lookup keeps naming src-a
                return;
            }
            ex.getRequestBody().readAllBytes();
            send(ex, 200, new AgentReportResponse(200L, 10_000L, "e", null, null, null, List.of(placement)));
        });
        // src-a: refuses every pull.
        cp.createContext("/x/mpegts", ex -> send(ex, 403, "pulls are not allowed here\n"));
        cp.start();
        Map<String, String> env = Map.of("TRIBUTARY_HTTP_PORT", "0", "TRIBUTARY_BIND", "127.0.0.1",
                "TRIBUTARY_HOSTNAME", "edge-1", "TRIBUTARY_DATA_DIR", dir.toString(), "TRIBUTARY_CONTROL_PLANE_URL", cpUrl);
        try (AgentHarness src = new AgentHarness(srcDir, Map.of());
             Agent edge = Agent.start(AgentConfig.load(env, new Properties()))) {
            src.run(AgentHarness.stream("x", 1000, new InputConfig("fake://x?size=160x90&rate=10")));
            HttpClient http = HttpClient.newHttpClient();
            String playlist = "http://127.0.0.1:" + edge.port() + "/x/index.m3u8";
            HttpResponse<String> first = http.send(HttpRequest.newBuilder(URI.create(playlist))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(first.statusCode()).isEqualTo(503);
            assertThat(first.body()).contains("HTTP 403");
            StreamReport pull = edge.report().pulls().stream().filter(r -> r.name().equals("x")).findFirst().orElseThrow();
            assertThat(pull.lastError()).as("the edge's stats name the source URL and its answer")
                    .contains(cpUrl + "/x/mpegts").contains("HTTP 403");

            // The stream moves to src-b (generation 2): only the report answer says so.
            placement = new StreamSource("x", "src-b", src.base(), src.base(), 2L, true, null, null);
            HttpResponse<String> played = await("the pull follows the reported move").atMost(Duration.ofSeconds(30))
                    .until(() -> http.send(HttpRequest.newBuilder(URI.create(playlist)).timeout(Duration.ofSeconds(15))
                            .build(), HttpResponse.BodyHandlers.ofString()), r -> r.statusCode() == 200);
            assertThat(played.body()).contains("#EXTINF");
            StreamReport moved = edge.report().pulls().stream().filter(r -> r.name().equals("x")).findFirst().orElseThrow();
            assertThat(moved.activeInput()).startsWith(src.base() + "/x/mpegts");
        } finally {
            cp.stop(0);
        }
    }
}
