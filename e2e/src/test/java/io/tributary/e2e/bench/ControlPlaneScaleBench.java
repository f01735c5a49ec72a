package io.tributary.e2e.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.api.Json;
import io.tributary.e2e.harness.ClusterHarness;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Control-plane scale (bench/control-plane-scale.sh): N simulated agents (no FFmpeg) report at
 * 1 Hz and poll their config when it changes, with S streams; one agent holds K of them. Prints
 * report and config-poll latency p50/p99, the control plane's CPU, and the time from that agent's
 * server_down to all its streams being reassigned; the anchor is /q/health/live under the same load.
 */
@Tag("bench")
class ControlPlaneScaleBench {
    static final int AGENTS = Integer.getInteger("bench.agents", 1000);
    static final int STREAMS = Integer.getInteger("bench.streams", 10_000);
    static final int HEAVY = Integer.getInteger("bench.heavy", 1000);
    static final int SECONDS = Integer.getInteger("bench.seconds", 30);
    static final ObjectMapper JSON = Json.mapper();

    final Map<String, String> running = new ConcurrentHashMap<>(); // host -> streams JSON it reports
    final Map<String, String> etags = new ConcurrentHashMap<>();
    final List<Double> reportMs = new CopyOnWriteArrayList<>();
    final List<Double> pollMs = new CopyOnWriteArrayList<>();
    final List<Double> healthMs = new CopyOnWriteArrayList<>();
    volatile boolean measuring;

    @Test
    void scale() throws Exception {
        try (ClusterHarness cluster = ClusterHarness.start(0)) {
            try (Connection c = cluster.database().connect(); Statement st = c.createStatement()) {
                st.execute("INSERT INTO streams (name, config, is_static, disabled) SELECT 's' || g, jsonb_build_object('name', 's' || g,"
                        + " 'inputs', jsonb_build_array(jsonb_build_object('url', 'udp://239.1.' || (g % 250) || '.1:1234')),"
                        + " 'cluster_ingest', CASE WHEN g <= " + HEAVY + " THEN jsonb_build_object('capture_at', 'sim-1') ELSE NULL END),"
                        + " true, false FROM generate_series(1, " + STREAMS + ") g");
            }
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                    .executor(Executors.newFixedThreadPool(32)).build();
            String key = cluster.clusterKey();
            ScheduledExecutorService timer = Executors.newScheduledThreadPool(16);
            for (int i = 1; i <= AGENTS; i++) {
                String host = "sim-" + i;
                running.put(host, "[]");
                long offset = (i * 1000L) / AGENTS;
                timer.scheduleAtFixedRate(() -> report(http, cluster.url(), key, host), offset, 1000, TimeUnit.MILLISECONDS);
            }
            timer.scheduleAtFixedRate(() -> {
                long t0 = System.nanoTime();
                try {
                    http.send(HttpRequest.newBuilder(URI.create(cluster.url() + "/q/health/live")).build(),
                            HttpResponse.BodyHandlers.discarding());
                    if (measuring) {
                        healthMs.add((System.nanoTime() - t0) / 1e6);
                    }
                } catch (Exception ignored) {
                    // counted as missing
                }
            }, 0, 50, TimeUnit.MILLISECONDS);
            // Warm-up: every stream placed and reported running.
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (countRunning(cluster) < STREAMS && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(500);
            }
            long pid = cluster.controlPlane().pid();
            long cpu0 = cpuTicks(pid);
            measuring = true;
            long t0 = System.nanoTime();
            TimeUnit.SECONDS.sleep(SECONDS);
            measuring = false;
            double cpuCores = (cpuTicks(pid) - cpu0) / 100.0 / ((System.nanoTime() - t0) / 1e9);

            // sim-1 dies (stops reporting): how long from server_down to all its streams elsewhere.
            running.put("sim-1", "DEAD");
            long downAt = 0;
            long movedAt = 0;
            deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            try (Connection c = cluster.database().connect(); Statement st = c.createStatement()) {
                while (System.nanoTime() < deadline) {
                    if (downAt == 0) {
                        try (ResultSet rs = st.executeQuery("SELECT extract(epoch FROM at) * 1000 FROM events WHERE type = 'server_down' "
                                + "AND hostname = 'sim-1' ORDER BY id DESC LIMIT 1")) {
                            if (rs.next()) {
                                downAt = (long) rs.getDouble(1);
                            }
                        }
                    } else {
                        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM assignments WHERE hostname = 'sim-1'")) {
                            rs.next();
                            if (rs.getLong(1) == 0) {
                                try (ResultSet m = st.executeQuery("SELECT extract(epoch FROM max(assigned_at)) * 1000 FROM assignments")) {
                                    m.next();
                                    movedAt = (long) m.getDouble(1);
                                }
                                break;
                            }
                        }
                    }
                    TimeUnit.MILLISECONDS.sleep(100);
                }
            }
            timer.shutdownNow();
            System.out.printf("CP_SCALE agents=%d streams=%d (%d on sim-1) window=%ds | report p50=%.1fms p99=%.1fms (%d) | config poll"
                            + " p50=%.1fms p99=%.1fms (%d) | control plane CPU %.2f cores | sim-1 down -> its %d streams reassigned in %d ms"
                            + " | anchor /q/health/live p50=%.1fms p99=%.1fms | target p99<=50ms, <=1 core, <=1000ms%n",
                    AGENTS, STREAMS, HEAVY, SECONDS, p(reportMs, 50), p(reportMs, 99), reportMs.size(), p(pollMs, 50),
                    p(pollMs, 99), pollMs.size(), cpuCores, HEAVY, movedAt == 0 ? -1 : movedAt - downAt,
                    p(healthMs, 50), p(healthMs, 99));
            assertThat(reportMs).isNotEmpty();
        }
    }

    private void report(HttpClient http, String base, String key, String host) {
        String streams = running.get(host);
        if ("DEAD".equals(streams)) {
            return;
        }
        try {
            String body = "{\"public_payload_url\":\"http://" + host + ".sim:8090\",\"channel_limit\":2000,"
                    + "\"stats\":{\"cpu_usage\":10,\"output_kbit\":1000},\"streams\":" + streams + "}";
            long t0 = System.nanoTime();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/agents/" + host))
                    .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (measuring) {
                reportMs.add((System.nanoTime() - t0) / 1e6);
            }
            String etag = JSON.readTree(r.body()).path("config_etag").asText();
            if (!etag.equals(etags.get(host))) {
                poll(http, base, key, host, etag);
            }
        } catch (Exception ignored) {
            // the next tick tries again
        }
    }

    private void poll(HttpClient http, String base, String key, String host, String etag) throws Exception {
        List<String> reports = new ArrayList<>();
        String cursor = null;
        do {
            long t0 = System.nanoTime();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/config-external/streams?host=" + host
                    + (cursor == null ? "" : "&cursor=" + cursor))).header("Authorization", "Bearer " + key).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (measuring) {
                pollMs.add((System.nanoTime() - t0) / 1e6);
            }
            JsonNode page = JSON.readTree(r.body());
            for (JsonNode s : page.path("streams")) {
                reports.add("{\"name\":\"" + s.path("name").asText() + "\",\"generation\":" + s.path("assignment").path("generation").asLong()
                        + ",\"status\":\"running\",\"media_sequence\":1,\"has_segment\":true}");
            }
            cursor = page.path("next").isNull() ? null : page.path("next").asText(null);
        } while (cursor != null);
        running.put(host, "[" + String.join(",", reports) + "]");
        etags.put(host, etag);
    }

    private static long countRunning(ClusterHarness cluster) throws Exception {
        try (Connection c = cluster.database().connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM stream_reports WHERE status = 'running'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long cpuTicks(long pid) throws Exception {
        String[] f = Files.readString(Path.of("/proc/" + pid + "/stat")).replaceAll(".*\\) ", "").split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static double p(List<Double> xs, int pct) {
        if (xs.isEmpty()) {
            return -1;
        }
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(Math.max(0, Math.min(s.size() - 1, (int) Math.ceil(pct / 100.0 * s.size()) - 1)));
    }
}
