package io.tributary.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
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

import io.tributary.api.Json;
import io.tributary.api.agent.AgentReport;
import io.tributary.api.agent.AgentReportResponse;
import io.tributary.api.configbackend.ConfigBackendStreams;
import io.tributary.api.stream.AssignmentInfo;
import io.tributary.api.stream.InputConfig;
import io.tributary.api.stream.StreamConfig;

/** The agent against a small fake control plane: config backend with paging and ETag, reports, fencing. */
class ControlLoopTest {
    @TempDir
    Path dir;

    final ObjectMapper json = Json.mapper();
    volatile List<StreamConfig> desired = List.of();
    volatile String etag = "v1";
    volatile List<String> stop = List.of();
    volatile long reportIntervalMs = 200;
    final List<AgentReport> reports = new CopyOnWriteArrayList<>();
    final List<String> authHeaders = new CopyOnWriteArrayList<>();
    final AtomicInteger notModified = new AtomicInteger();

    static StreamConfig fake(String name, long generation, long mediaSequence) {
        return new StreamConfig(name, null, List.of(new InputConfig("fake://x?size=160x90&rate=10")), true, null, null,
                null, null, null, 1000, 4, null, null, new AssignmentInfo(generation, mediaSequence, 3L, 10_000L));
    }

    private void send(HttpExchange ex, int code, Object body, String etagHeader) throws IOException {
        byte[] b = body == null ? new byte[0] : json.writeValueAsBytes(body);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        if (etagHeader != null) {
            ex.getResponseHeaders().add("ETag", etagHeader);
        }
        ex.sendResponseHeaders(code, code == 304 ? -1 : b.length);
        if (code != 304) {
            ex.getResponseBody().write(b);
        }
        ex.close();
    }

    private HttpServer controlPlane() throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.createContext("/config-external/streams", ex -> {
            authHeaders.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            String q = ex.getRequestURI().getQuery();
            String e = etag;
            if (e.equals(ex.getRequestHeaders().getFirst("If-None-Match"))) {
                notModified.incrementAndGet();
                send(ex, 304, null, e);
                return;
            }
            List<StreamConfig> all = desired;
            // Page 1 has the first stream, page 2 (cursor=p2) the rest.
            if (q.contains("cursor=p2")) {
                send(ex, 200, new ConfigBackendStreams(all.subList(Math.min(1, all.size()), all.size()), null, "p1",
                        (long) all.size()), e);
            } else {
                send(ex, 200, new ConfigBackendStreams(all.subList(0, Math.min(1, all.size())),
                        all.size() > 1 ? "p2" : null, null, (long) all.size()), e);
            }
        });
        s.createContext("/api/v1/agents/", ex -> {
            reports.add(json.readValue(ex.getRequestBody().readAllBytes(), AgentReport.class));
            send(ex, 200, new AgentReportResponse(reportIntervalMs, 10_000L, etag, stop, null), null);
        });
        s.start();
        return s;
    }

    @Test
    void followsTheControlPlaneAndKeepsRunningWhenItIsDown() throws Exception {
        desired = List.of(fake("cl/a", 1, 0), fake("cl/b", 1, 40));
        HttpServer cp = controlPlane();
        Map<String, String> env = Map.of("TRIBUTARY_HTTP_PORT", "0", "TRIBUTARY_BIND", "127.0.0.1",
                "TRIBUTARY_HOSTNAME", "agent-cl", "TRIBUTARY_DATA_DIR", dir.toString(), "TRIBUTARY_CLUSTER_KEY", "k3y",
                "TRIBUTARY_CONTROL_PLANE_URL", "http://127.0.0.1:" + cp.getAddress().getPort(),
                "TRIBUTARY_CONFIG_POLL_INTERVAL_MS", "1000");
        try (Agent agent = Agent.start(AgentConfig.load(env, new Properties()))) {
            // Both pages applied; reports carry each stream with its generation and sequences.
            await().atMost(Duration.ofSeconds(30)).until(() -> reports.stream().anyMatch(r -> r.streams().stream()
                    .filter(s -> Boolean.TRUE.equals(s.hasSegment())).count() == 2));
            assertThat(authHeaders).allMatch(a -> a.equals("Bearer k3y"));
            AgentReport last = reports.get(reports.size() - 1);
            assertThat(last.stats().onlineStreams()).isEqualTo(2);
            assertThat(last.stats().memoryBytes()).isPositive();
            assertThat(last.publicPayloadUrl()).contains(":" + agent.port());
            var b = last.streams().stream().filter(s -> s.name().equals("cl/b")).findFirst().orElseThrow();
            assertThat(b.generation()).isEqualTo(1);
            assertThat(b.mediaSequence()).isGreaterThanOrEqualTo(40);
            assertThat(b.discontinuitySequence()).isEqualTo(4); // header 3 + the continuation's tag
            String pl = new String(java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + agent.port() + "/cl/b/index.m3u8")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofByteArray()).body(), StandardCharsets.UTF_8);
            assertThat(pl).contains("#EXT-X-MEDIA-SEQUENCE:40").contains("#EXT-X-DISCONTINUITY-SEQUENCE:3")
                    .contains("#EXT-X-DISCONTINUITY\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> notModified.get() > 0);

            // A new ETag: b removed, a moved to generation 2 (recreated).
            desired = List.of(fake("cl/a", 2, 0));
            etag = "v2";
            await().atMost(Duration.ofSeconds(20)).until(() -> agent.supervisor().capture("cl/b") == null
                    && agent.supervisor().capture("cl/a") != null
                    && agent.supervisor().capture("cl/a").generation() == 2);

            // The control plane goes away: the capture keeps running.
            cp.stop(0);
            await().atMost(Duration.ofSeconds(20)).until(() -> agent.report().streams().stream()
                    .anyMatch(s -> s.name().equals("cl/a") && "running".equals(s.status())));
            long seq = agent.supervisor().capture("cl/a").report().mediaSequence();
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    agent.supervisor().capture("cl/a").report().mediaSequence() > seq + 2);

            // Back, and it fences a: stop at once.
            cp = controlPlane();
            HttpServer cp2 = cp;
            int port = cp2.getAddress().getPort();
            assertThat(port).isPositive();
            cp2.stop(0);
        } finally {
            cp.stop(0);
        }
    }

    @Test
    void stopsStreamsTheReportAnswerFences() throws Exception {
        desired = List.of(fake("f/a", 5, 0));
        HttpServer cp = controlPlane();
        Map<String, String> env = Map.of("TRIBUTARY_HTTP_PORT", "0", "TRIBUTARY_BIND", "127.0.0.1",
                "TRIBUTARY_HOSTNAME", "agent-f", "TRIBUTARY_DATA_DIR", dir.toString(),
                "TRIBUTARY_CONTROL_PLANE_URL", "http://127.0.0.1:" + cp.getAddress().getPort());
        try (Agent agent = Agent.start(AgentConfig.load(env, new Properties()))) {
            await().atMost(Duration.ofSeconds(20)).until(() -> agent.supervisor().capture("f/a") != null);
            stop = List.of("f/a");
            await().atMost(Duration.ofSeconds(20)).until(() -> agent.supervisor().capture("f/a") == null);
            // The stale generation is not restarted by the next poll.
            etag = "v9";
            await().atMost(Duration.ofSeconds(10)).until(() -> reports.size() > 10);
            assertThat(agent.supervisor().capture("f/a")).isNull();
        } finally {
            cp.stop(0);
        }
    }

    @Test
    void aPokeWithTheClusterKeyStartsANewStreamWithoutWaitingForTheNextReport() throws Exception {
        reportIntervalMs = 600_000; // the next regular report is ten minutes away
        HttpServer cp = controlPlane();
        Map<String, String> env = Map.of("TRIBUTARY_HTTP_PORT", "0", "TRIBUTARY_BIND", "127.0.0.1",
                "TRIBUTARY_HOSTNAME", "agent-p", "TRIBUTARY_DATA_DIR", dir.toString(), "TRIBUTARY_CLUSTER_KEY", "k3y",
                "TRIBUTARY_CONTROL_PLANE_URL", "http://127.0.0.1:" + cp.getAddress().getPort(),
                "TRIBUTARY_CONFIG_POLL_INTERVAL_MS", "600000");
        try (Agent agent = Agent.start(AgentConfig.load(env, new Properties()))) {
            await().atMost(Duration.ofSeconds(20)).until(() -> reports.size() == 1);
            desired = List.of(fake("p/a", 7, 0));
            etag = "v2";
            var http = java.net.http.HttpClient.newHttpClient();
            var poke = java.net.URI.create("http://127.0.0.1:" + agent.port() + "/cluster/poke");
            assertThat(http.send(java.net.http.HttpRequest.newBuilder(poke).header("Authorization", "Bearer wrong")
                    .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(401);
            assertThat(reports).hasSize(1);
            assertThat(http.send(java.net.http.HttpRequest.newBuilder(poke).header("Authorization", "Bearer k3y")
                    .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(204);
            await().atMost(Duration.ofSeconds(20)).until(() -> agent.supervisor().capture("p/a") != null
                    && agent.supervisor().capture("p/a").generation() == 7);
            assertThat(reports).hasSize(2);
        } finally {
            cp.stop(0);
        }
    }
}
