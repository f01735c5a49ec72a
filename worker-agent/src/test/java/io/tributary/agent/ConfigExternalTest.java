package io.tributary.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.tributary.agent.control.BackendPage;
import io.tributary.agent.control.ConfigBackendException;
import io.tributary.api.Json;
import io.tributary.api.agent.AgentReport;
import io.tributary.api.agent.StreamReport;

/**
 * An agent that runs from another config backend alone (no control plane): a small backend
 * written here with the JDK's HTTP server, which pages, sends ETags, goes down, answers garbage
 * and recovers. Streams keep running through every failure and the error is reported.
 */
class ConfigExternalTest {
    @TempDir
    Path dir;

    final ObjectMapper json = Json.mapper();
    final List<String> requests = new CopyOnWriteArrayList<>();
    final AtomicInteger notModified = new AtomicInteger();
    volatile String mode = "ok";
    volatile String page1;
    volatile String page2;
    volatile String etag = "\"e1\"";

    static String fake(String name) {
        // No "assignment": a plain Flussonic-style backend.
        return "{\"name\":\"" + name + "\",\"inputs\":[{\"url\":\"fake://x?size=160x90&rate=10\"}],"
                + "\"segment_duration\":1000,\"segment_count\":4}";
    }

    private void send(HttpExchange ex, int code, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.getResponseHeaders().add("ETag", etag);
        ex.sendResponseHeaders(code, code == 304 ? -1 : b.length);
        if (code != 304) {
            ex.getResponseBody().write(b);
        }
        ex.close();
    }

    private HttpServer backend(int port) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        s.createContext("/cfg/streams", ex -> {
            requests.add(ex.getRequestURI() + " auth=" + ex.getRequestHeaders().getFirst("Authorization"));
            if (mode.equals("garbage")) {
                send(ex, 200, "<html>502 bad gateway</html>");
                return;
            }
            if (etag.equals(ex.getRequestHeaders().getFirst("If-None-Match"))) {
                notModified.incrementAndGet();
                send(ex, 304, "");
                return;
            }
            boolean second = ex.getRequestURI().getQuery().contains("cursor=p2");
            send(ex, 200, second ? "{\"streams\":[" + page2 + "],\"next\":null}"
                    : "{\"streams\":[" + page1 + "],\"next\":\"p2\",\"estimated_count\":3}");
        });
        s.start();
        return s;
    }

    private String get(Agent agent, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port()
                + path)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static StreamReport stream(Agent agent, String name) {
        return agent.report().streams().stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
    }

    private static String reason(Agent agent) {
        AgentReport.ConfigExternalError e = agent.report().configExternalError();
        return e == null ? null : e.reason();
    }

    /** Waits until both streams cut at least {@code n} more segments: they keep running. */
    private static void keepsRunning(Agent agent, int n) {
        for (String name : List.of("x/a", "x/b")) {
            long seq = stream(agent, name).mediaSequence() == null ? -1 : stream(agent, name).mediaSequence();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                StreamReport r = stream(agent, name);
                return r != null && "running".equals(r.status()) && r.mediaSequence() != null
                        && r.mediaSequence() >= seq + n;
            });
        }
    }

    @Test
    void runsFromAnotherBackendAndKeepsRunningThroughItsFailures() throws Exception {
        page1 = fake("x/a") + ",{\"name\":\"x/bad\",\"inputs\":[{\"url\":\"fake://y\"}],\"segment_count\":1}";
        page2 = fake("x/b") + ",{\"name\":\"x/unreadable\",\"inputs\":\"fake://z\"},{\"title\":\"no name\"}";
        HttpServer backend = backend(0);
        int port = backend.getAddress().getPort();
        Map<String, String> env = Map.of("TRIBUTARY_HTTP_PORT", "0", "TRIBUTARY_BIND", "127.0.0.1",
                "TRIBUTARY_HOSTNAME", "edge-7", "TRIBUTARY_DATA_DIR", dir.toString(),
                "TRIBUTARY_CONFIG_EXTERNAL", "http://127.0.0.1:" + port + "/cfg/",
                "TRIBUTARY_CONFIG_EXTERNAL_TOKEN", "s3cret",
                "TRIBUTARY_CONFIG_POLL_INTERVAL_MS", "300", "TRIBUTARY_CONFIG_RETRY_MAX_MS", "1000");
        try (Agent agent = Agent.start(AgentConfig.load(env, new Properties()))) {
            assertThat(agent.config().controlPlaneUrl()).isNull();
            // Both pages applied; valid streams run although others are refused.
            await().atMost(Duration.ofSeconds(30)).until(() -> stream(agent, "x/a") != null
                    && stream(agent, "x/b") != null && Boolean.TRUE.equals(stream(agent, "x/a").hasSegment())
                    && Boolean.TRUE.equals(stream(agent, "x/b").hasSegment()));
            assertThat(requests).allMatch(r -> r.contains("host=edge-7") && r.endsWith("auth=Bearer s3cret"));
            assertThat(stream(agent, "x/a").generation()).isNull();
            assertThat(stream(agent, "x/bad").status()).isEqualTo("error");
            assertThat(stream(agent, "x/bad").lastError()).startsWith("validation_error: segment_count");
            assertThat(stream(agent, "x/unreadable").lastError()).startsWith("validation_error: ");
            AgentReport.ConfigExternalError err = agent.report().configExternalError();
            assertThat(err.reason()).isEqualTo("validation_error");
            assertThat(err.detail()).contains("x/bad", "x/unreadable", "streams[2] has no \"name\"");
            await().atMost(Duration.ofSeconds(10)).until(() -> notModified.get() > 0);

            // The backend fixes its list: the error clears, the refused streams are gone.
            page1 = fake("x/a");
            page2 = fake("x/b");
            etag = "\"e2\"";
            await().atMost(Duration.ofSeconds(10)).until(() -> reason(agent) == null);
            assertThat(stream(agent, "x/bad")).isNull();
            assertThat(stream(agent, "x/unreadable")).isNull();
            assertThat(get(agent, "/health")).doesNotContain("config_external_error");

            // Down: network_error everywhere, streams keep running.
            backend.stop(0);
            await().atMost(Duration.ofSeconds(10)).until(() -> "network_error".equals(reason(agent)));
            assertThat(get(agent, "/health")).contains("\"config_external_error\":{\"reason\":\"network_error\"");
            assertThat(get(agent, "/metrics"))
                    .contains("tributary_agent_config_external_error{reason=\"network_error\"} 1")
                    .contains("tributary_agent_config_external_error{reason=\"malformed_json\"} 0");
            keepsRunning(agent, 2);
            assertThat(reason(agent)).isEqualTo("network_error");

            // Back, but answering garbage: malformed_json, streams keep running.
            mode = "garbage";
            backend = backend(port);
            await().atMost(Duration.ofSeconds(15)).until(() -> "malformed_json".equals(reason(agent)));
            assertThat(get(agent, "/metrics"))
                    .contains("tributary_agent_config_external_error{reason=\"malformed_json\"} 1");
            keepsRunning(agent, 2);

            // Recovered: the error clears and the same captures still run.
            var a = agent.supervisor().capture("x/a");
            mode = "ok";
            await().atMost(Duration.ofSeconds(15)).until(() -> reason(agent) == null);
            assertThat(get(agent, "/health")).doesNotContain("config_external_error");
            assertThat(agent.supervisor().capture("x/a")).isSameAs(a);
            assertThat(get(agent, "/metrics"))
                    .contains("tributary_agent_config_external_error{reason=\"network_error\"} 0");
        } finally {
            backend.stop(0);
        }
    }

    @Test
    void pageParsingSortsOutBadStreams() throws Exception {
        ObjectMapper m = Json.mapper();
        BackendPage p = BackendPage.parse(m, ("{\"streams\":[" + fake("a") + ",{\"name\":\"b\",\"inputs\":3},"
                + "{\"name\":7}],\"next\":\"c2\"}").getBytes(StandardCharsets.UTF_8));
        assertThat(p.streams()).extracting("name").containsExactly("a");
        assertThat(p.unreadable()).containsOnlyKeys("b");
        assertThat(p.nameless()).containsExactly("streams[2] has no \"name\"");
        assertThat(p.next()).isEqualTo("c2");
        assertThat(reasonOf(m, "{\"streams\":[")).isEqualTo(ConfigBackendException.MALFORMED_JSON);
        assertThat(reasonOf(m, "")).isEqualTo(ConfigBackendException.MALFORMED_JSON);
        assertThat(reasonOf(m, "[]")).isEqualTo(ConfigBackendException.VALIDATION_ERROR);
        assertThat(reasonOf(m, "{\"streams\":{}}")).isEqualTo(ConfigBackendException.VALIDATION_ERROR);
        assertThat(reasonOf(m, "{\"streams\":[],\"next\":5}")).isEqualTo(ConfigBackendException.VALIDATION_ERROR);
        assertThat(AgentConfig.load(Map.of("TRIBUTARY_CONFIG_EXTERNAL", "http://b", "TRIBUTARY_CLUSTER_KEY", "k"),
                new Properties()).configToken()).isEqualTo("k");
    }

    private static String reasonOf(ObjectMapper m, String body) {
        try {
            BackendPage.parse(m, body.getBytes(StandardCharsets.UTF_8));
            return null;
        } catch (ConfigBackendException e) {
            return e.reason();
        }
    }
}
