package io.tributary.e2e.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.tributary.api.Json;
import io.tributary.e2e.harness.ClusterHarness;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Control-plane scale (bench/control-plane-scale.sh): N simulated agents (no FFmpeg) report at
 * 1 Hz and poll their config when it changes, with S streams; one agent holds K of them, and ten
 * times a second one agent re-reads its config page (a steady cluster changes no ETag). Prints
 * report and config-poll latency p50/p99 (and how many ETag changes agents saw), the control
 * plane's CPU, and the time from that agent's server_down to all its streams being reassigned;
 * the anchor is /q/health/live under the same load.
 */
@Tag("bench")
class ControlPlaneScaleBench {
    static final int AGENTS = Integer.getInteger("bench.agents", 1000);
    static final int STREAMS = Integer.getInteger("bench.streams", 10_000);
    static final int HEAVY = Integer.getInteger("bench.heavy", 1000);
    static final int SECONDS = Integer.getInteger("bench.seconds", 30);
    /** Seconds without a server_down after warm-up before the window opens, and the most it waits for that. */
    static final int SETTLE = Integer.getInteger("bench.settle", 10);
    static final int SETTLE_MAX = Integer.getInteger("bench.settle-max", 120);
    static final ObjectMapper JSON = Json.mapper();

    final Map<String, Sim> sims = new ConcurrentHashMap<>();
    final List<Double> reportMs = new CopyOnWriteArrayList<>();
    final List<Double> pollMs = new CopyOnWriteArrayList<>();
    final List<Double> healthMs = new CopyOnWriteArrayList<>();
    /** Report answers in the window whose config ETag differed from the host's last (a steady cluster has none). */
    final AtomicLong etagChanges = new AtomicLong();
    final AtomicLong sent = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong failedPolls = new AtomicLong();
    final AtomicLong skipped = new AtomicLong();
    volatile boolean measuring;
    HttpClient http;
    Vertx vertx;
    io.vertx.core.Context context;
    io.vertx.core.http.HttpClient vx;
    String base;
    String key;

    static final String SEQ = "\"@SEQ@\"";
    static final String KBIT = "\"@KBIT@\"";

    /**
     * What a real agent's report changes every time: the newest segment's number (one every 2 s)
     * and the measured bitrate, so the control plane cannot skip a report as unchanged.
     */
    static String live(String body) {
        if (!body.contains(KBIT)) {
            return body;
        }
        long now = System.currentTimeMillis();
        return body.replace(SEQ, Long.toString(now / 2000 % 1_000_000)).replace(KBIT, Long.toString(900 + now % 200));
    }

    /**
     * One simulated agent: like the real one it reports once a second (never two reports at once:
     * a tick while one is in flight is skipped and counted), polls its config when the answer's
     * config_etag changed, and reports its desired streams as running. Its body is built once per
     * config change, not per report.
     */
    final class Sim {
        final String host;
        final String url;
        volatile String body;
        volatile String etag = "";
        final AtomicBoolean inFlight = new AtomicBoolean();
        volatile boolean dead;

        Sim(String host, String url) {
            this.host = host;
            this.url = url;
            this.body = body("[]");
        }

        String body(String streams) {
            return "{\"public_payload_url\":\"" + url + "\",\"channel_limit\":2000,"
                    + "\"stats\":{\"cpu_usage\":10,\"output_kbit\":" + KBIT + "},\"streams\":" + streams + "}";
        }

        void report() {
            if (dead) {
                return;
            }
            if (!inFlight.compareAndSet(false, true)) {
                if (measuring) {
                    skipped.incrementAndGet();
                }
                return;
            }
            long t0 = System.nanoTime();
            send(HttpMethod.PUT, "/api/v1/agents/" + host, live(body), (status, text, e) -> {
                if (measuring) {
                    reportMs.add((System.nanoTime() - t0) / 1e6);
                    sent.incrementAndGet();
                    if (e != null || status != 200) {
                        failed.incrementAndGet();
                    }
                }
                String want = null;
                if (e == null && status == 200) {
                    try {
                        want = JSON.readTree(text).path("config_etag").asText();
                    } catch (Exception ignored) {
                        // the next report tries again
                    }
                }
                if (want != null && !want.equals(etag)) {
                    if (measuring) {
                        etagChanges.incrementAndGet();
                    }
                    poll(want, null, new ArrayList<>());
                } else {
                    inFlight.set(false);
                }
            });
        }

        /** Follows the pages, then reports every desired stream as running with its generation. */
        private void poll(String want, String cursor, List<String> reports) {
            long t0 = System.nanoTime();
            send(HttpMethod.GET, "/config-external/streams?host=" + host + (cursor == null ? "" : "&cursor=" + cursor), null,
                    (status, text, e) -> {
                        if (measuring) {
                            pollMs.add((System.nanoTime() - t0) / 1e6);
                            if (e != null || status != 200) {
                                failedPolls.incrementAndGet();
                            }
                        }
                        try {
                            if (e != null || status != 200) {
                                inFlight.set(false);
                                return;
                            }
                            JsonNode page = JSON.readTree(text);
                            for (JsonNode st : page.path("streams")) {
                                reports.add("{\"name\":\"" + st.path("name").asText() + "\",\"generation\":"
                                        + st.path("assignment").path("generation").asLong()
                                        + ",\"status\":\"running\",\"media_sequence\":" + SEQ + ",\"has_segment\":true,"
                                        + "\"bitrate_in\":" + KBIT + ",\"lifetime\":" + SEQ + "}");
                            }
                            String next = page.path("next").isNull() ? null : page.path("next").asText(null);
                            if (next != null) {
                                poll(want, next, reports);
                                return;
                            }
                            body = body("[" + String.join(",", reports) + "]");
                            etag = want;
                            inFlight.set(false);
                        } catch (Exception ex) {
                            inFlight.set(false);
                        }
                    });
        }
    }

    /** What a simulated request's answer calls back with (on the simulator's event loop). */
    interface Answer {
        void accept(int status, String body, Throwable error);
    }

    /** One request of a simulated agent through the shared Vert.x client. */
    void send(HttpMethod method, String uri, String body, Answer answer) {
        RequestOptions o = new RequestOptions().setMethod(method).setURI(uri).putHeader("Authorization", "Bearer " + key);
        if (body != null) {
            o.putHeader("Content-Type", "application/json");
        }
        // On the client's event loop: sent from the timer's thread, a response could arrive before
        // body() was asked for, and its body came back empty (200, Content-Length 1,460, no bytes:
        // about 0.3% of the reports), which the simulated agent took for a changed ETag and polled.
        context.runOnContext(v -> vx.request(o).compose(req -> body == null ? req.send() : req.send(body))
                .compose(resp -> resp.body().map(b -> Map.entry(resp.statusCode(), b.toString())))
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        answer.accept(ar.result().getKey(), ar.result().getValue(), null);
                    } else {
                        answer.accept(0, null, ar.cause());
                    }
                }));
    }

    @Test
    void scale() throws Exception {
        try (ClusterHarness cluster = ClusterHarness.start(0)) {
            try (Connection c = cluster.database().connect(); Statement st = c.createStatement()) {
                st.execute("INSERT INTO streams (name, config, is_static, disabled) SELECT 's' || g, jsonb_build_object('name', 's' || g,"
                        + " 'inputs', jsonb_build_array(jsonb_build_object('url', 'udp://239.1.' || (g % 250) || '.1:1234')),"
                        + " 'cluster_ingest', CASE WHEN g <= " + HEAVY + " THEN jsonb_build_object('capture_at', 'sim-1') ELSE NULL END),"
                        + " true, false FROM generate_series(1, " + STREAMS + ") g");
                // Behind the API's back: move the content epoch as a stream change through it does.
                st.execute("UPDATE config_epoch SET epoch = epoch + 1, content_epoch = content_epoch + 1 WHERE id = 1");
            }
            // The simulator must not eat the cores it measures, nor queue its own requests: one Vert.x
            // event loop holds every simulated agent's keep-alive HTTP/1.1 connection, as 1,000
            // machines would each hold one. (java.net.http with 2 threads queued its own requests
            // for seconds: /q/health/live took 2.4 s through it and 5-200 ms through curl, and agents
            // late by the simulator's queue were marked down, 1,414 times in one run. Its default
            // h2c had multiplexed every agent on one connection, whose lock the control plane's
            // worker threads queued on.)
            vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
            context = vertx.getOrCreateContext();
            URI cp = URI.create(cluster.url());
            vx = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(cp.getHost()).setDefaultPort(cp.getPort())
                    .setProtocolVersion(HttpVersion.HTTP_1_1).setKeepAlive(true).setConnectTimeout(5000),
                    new PoolOptions().setHttp1MaxSize(AGENTS + 16).setMaxWaitQueueSize(-1));
            http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
            // The simulator stands for 1,000 machines with CPUs of their own: its threads run at
            // a higher priority than the control plane and PostgreSQL, or the load it measures
            // starves its one event loop and the figures are its own queue (see simPriority).
            ScheduledExecutorService timer = Executors.newScheduledThreadPool(1, r -> new Thread(r, "sim-timer"));
            base = cluster.url();
            key = cluster.clusterKey();
            // The agents' own endpoint (POST .../cluster/poke makes one report now, as the real agent does);
            // sim-1 has its own, closed when it dies, so a probe of it is refused as for a killed agent.
            HttpServer pokes = pokeServer();
            HttpServer heavyPokes = pokeServer();
            for (int i = 1; i <= AGENTS; i++) {
                String host = "sim-" + i;
                HttpServer own = i == 1 ? heavyPokes : pokes;
                Sim sim = new Sim(host, "http://127.0.0.1:" + own.getAddress().getPort() + "/" + host);
                sims.put(host, sim);
                long offset = (i * 1000L) / AGENTS;
                timer.scheduleAtFixedRate(sim::report, offset, 1000, TimeUnit.MILLISECONDS);
            }
            timer.scheduleAtFixedRate(() -> {
                long t0 = System.nanoTime();
                send(HttpMethod.GET, "/q/health/live", null, (status, text, e) -> {
                    if (measuring) {
                        healthMs.add((System.nanoTime() - t0) / 1e6);
                    }
                });
            }, 0, 50, TimeUnit.MILLISECONDS);
            // Config-poll latency in a steady cluster: ten times a second one agent re-reads its
            // page, as an agent does after its ETag changed (changes alone are too few to measure).
            java.util.Random pick = new java.util.Random(7);
            timer.scheduleAtFixedRate(() -> {
                long t0 = System.nanoTime();
                String host = "sim-" + (AGENTS < 2 ? 1 : 2 + pick.nextInt(AGENTS - 1));
                send(HttpMethod.GET, "/config-external/streams?host=" + host, null, (status, text, e) -> {
                    if (measuring) {
                        pollMs.add((System.nanoTime() - t0) / 1e6);
                        if (e != null || status != 200) {
                            failedPolls.incrementAndGet();
                        }
                    }
                });
            }, 0, 100, TimeUnit.MILLISECONDS);
            // Warm-up: every stream placed and reported running.
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (countRunning(cluster) < STREAMS && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(500);
            }
            // Then steady: the start-up storm (1,000 registrations, 10,000 placements, every
            // agent's first config poll, the JIT compiling all of it) is over when no server has
            // gone down for SETTLE seconds; the window measures 1 Hz reports, not the storm.
            long warmedAt = System.nanoTime();
            deadline = warmedAt + Duration.ofSeconds(SETTLE_MAX).toNanos();
            while (System.nanoTime() < deadline && (System.nanoTime() - warmedAt < Duration.ofSeconds(SETTLE).toNanos()
                    || countEvents(cluster, "type = 'server_down' AND at > now() - interval '" + SETTLE + " seconds'") > 0)) {
                TimeUnit.MILLISECONDS.sleep(500);
            }
            long settledMs = (System.nanoTime() - warmedAt) / 1_000_000;
            String priority = simPriority(); // its threads run by now
            long pid = cluster.controlPlane().pid();
            long self = ProcessHandle.current().pid();
            long cpu0 = cpuTicks(pid);
            long simCpu0 = cpuTicks(self);
            long pgCpu0 = postgresTicks();
            String load0 = loadAverage();
            Map<String, Double> metrics0 = metrics();
            measuring = true;
            long t0 = System.nanoTime();
            TimeUnit.SECONDS.sleep(SECONDS);
            measuring = false;
            double window = (System.nanoTime() - t0) / 1e9;
            double cpuCores = (cpuTicks(pid) - cpu0) / 100.0 / window;
            double simCores = (cpuTicks(self) - simCpu0) / 100.0 / window;
            double pgCores = (postgresTicks() - pgCpu0) / 100.0 / window;
            String load1 = loadAverage();
            Map<String, Double> metrics1 = metrics();
            double quick = metrics1.getOrDefault("tributary_agent_reports_total{path=\"quick\"}", 0.0)
                    - metrics0.getOrDefault("tributary_agent_reports_total{path=\"quick\"}", 0.0);
            double full = metrics1.getOrDefault("tributary_agent_reports_total{path=\"full\"}", 0.0)
                    - metrics0.getOrDefault("tributary_agent_reports_total{path=\"full\"}", 0.0);
            StringBuilder why = new StringBuilder();
            for (Map.Entry<String, Double> e : new java.util.TreeMap<>(metrics1).entrySet()) {
                if (e.getKey().startsWith("tributary_agent_reports_full_total")) {
                    double d = e.getValue() - metrics0.getOrDefault(e.getKey(), 0.0);
                    if (d > 0) {
                        why.append(why.length() == 0 ? "" : ", ").append(e.getKey().replaceAll(".*reason=\"([^\"]*)\".*", "$1"))
                                .append(' ').append(Math.round(d));
                    }
                }
            }
            double inside50 = metrics1.getOrDefault("tributary_agent_report_seconds{quantile=\"0.5\"}", -0.001) * 1000;
            double inside99 = metrics1.getOrDefault("tributary_agent_report_seconds{quantile=\"0.99\"}", -0.001) * 1000;

            // sim-1 dies (stops reporting, its port refuses): how long from server_down to all its streams elsewhere.
            long flaps = countEvents(cluster, "type = 'server_down' AND at > now() - interval '" + (SECONDS + 1) + " seconds'");
            long deathAt = System.currentTimeMillis();
            sims.get("sim-1").dead = true;
            heavyPokes.stop(0);
            long downAt = 0;
            boolean downBefore = false;
            long movedAt = 0;
            deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            try (Connection c = cluster.database().connect(); Statement st = c.createStatement()) {
                while (System.nanoTime() < deadline) {
                    if (downAt == 0) {
                        // Marked down after it died; or, when it had been marked down before (late
                        // reports) and not up since, from that mark (printed as a flap).
                        try (ResultSet rs = st.executeQuery("SELECT extract(epoch FROM e.at) * 1000, e.at < to_timestamp(" + deathAt
                                + " / 1000.0) FROM events e WHERE e.type = 'server_down' AND e.hostname = 'sim-1' "
                                + "AND (e.at >= to_timestamp(" + deathAt + " / 1000.0) OR (SELECT status FROM servers WHERE hostname = 'sim-1') = 'down') "
                                + "ORDER BY e.id DESC LIMIT 1")) {
                            if (rs.next()) {
                                downAt = (long) rs.getDouble(1);
                                downBefore = rs.getBoolean(2);
                            }
                        }
                    } else {
                        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM assignments WHERE hostname = 'sim-1'")) {
                            rs.next();
                            if (rs.getLong(1) == 0) {
                                // Seen committed (polled every 100 ms), not the pass's own timestamp.
                                movedAt = System.currentTimeMillis();
                                break;
                            }
                        }
                    }
                    TimeUnit.MILLISECONDS.sleep(100);
                }
            }
            long moved = countWhere(cluster, "hostname <> 'sim-1' AND stream_name IN (SELECT a.stream_name FROM assignments a "
                    + "JOIN events e ON e.stream_name = a.stream_name AND e.type = 'failover' AND e.message LIKE '%sim-1 ->%')");
            timer.shutdownNow();
            pokes.stop(0);
            vertx.close();
            System.out.printf("CP_SCALE agents=%d streams=%d (%d on sim-1) window=%ds after %s | report p50=%.1fms p99=%.1fms (%d) | config poll"
                            + " p50=%.1fms p99=%.1fms (%d polls, %d failed; agents saw %d ETag changes) | control plane CPU %.2f cores | sim-1 down -> its %d streams reassigned (seen committed) in %d ms%s (%d failover events)"
                            + " | inside the control plane (resource entry to return, last 30 s) p50=%.1fms p99=%.1fms, %.0f quick + %.0f full reports (%s)"
                            + " | anchor /q/health/live p50=%.1fms p99=%.1fms | anchor reports sent %.0f/s of %d/s expected"
                            + " (%d failed, %d ticks skipped: report still in flight), %d server_down events in the window (agents late > failover_timeout), simulator CPU %.2f cores (%s), PostgreSQL CPU %.2f cores (its processes alive at both ends), load average %s -> %s"
                            + " | target p99<=50ms, <=1 core, <=1000ms%n",
                    AGENTS, STREAMS, HEAVY, SECONDS, settledMs < SETTLE_MAX * 1000L
                            ? "settling " + settledMs + " ms (no server_down for " + SETTLE + " s)"
                            : "NOT settling in " + SETTLE_MAX + " s (servers still going down)", p(reportMs, 50), p(reportMs, 99), reportMs.size(), p(pollMs, 50),
                    p(pollMs, 99), pollMs.size(), failedPolls.get(), etagChanges.get(), cpuCores, HEAVY, movedAt == 0 ? -1 : movedAt - downAt,
                    downBefore ? " (it had been marked down before it died: late reports)" : "", moved,
                    inside50, inside99, quick, full, why,
                    p(healthMs, 50), p(healthMs, 99), sent.get() / window, AGENTS, failed.get(), skipped.get(), flaps, simCores, priority, pgCores,
                    load0, load1);
            assertThat(reportMs).isNotEmpty();
        }
    }

    /** The control plane's Prometheus samples, by name with labels. */
    private Map<String, Double> metrics() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        Map<String, Double> out = new java.util.HashMap<>();
        for (String line : r.body().split("\n")) {
            int sp = line.lastIndexOf(' ');
            if (line.startsWith("tributary_agent_report") && sp > 0) {
                out.put(line.substring(0, sp).replace(",}", "}"), Double.parseDouble(line.substring(sp + 1)));
            }
        }
        return out;
    }

    private HttpServer pokeServer() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String[] parts = exchange.getRequestURI().getPath().split("/");
            Sim sim = parts.length > 1 ? sims.get(parts[1]) : null;
            exchange.sendResponseHeaders(sim == null ? 404 : 204, -1);
            exchange.close();
            if (sim != null) {
                sim.report();
            }
        });
        server.start();
        return server;
    }

    private static long countEvents(ClusterHarness cluster, String where) throws Exception {
        try (Connection c = cluster.database().connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM events WHERE " + where)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long countWhere(ClusterHarness cluster, String where) throws Exception {
        try (Connection c = cluster.database().connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM assignments WHERE " + where)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long countRunning(ClusterHarness cluster) throws Exception {
        try (Connection c = cluster.database().connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM stream_reports WHERE status = 'running'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String loadAverage() throws Exception {
        String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return f[0] + "/" + f[1] + "/" + f[2];
    }

    /**
     * Raises the simulator's event loop and timer threads to nice -10 (Linux: a thread's own
     * priority, by its id), where this runs as root; says what it did.
     */
    private static String simPriority() throws Exception {
        List<String> raised = new ArrayList<>();
        java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
        for (java.io.File t : tasks == null ? new java.io.File[0] : tasks) {
            String comm = Files.readString(t.toPath().resolve("comm")).trim();
            if (comm.startsWith("vert.x-eventloo") || comm.startsWith("sim-timer")) {
                Process p = new ProcessBuilder("renice", "-n", "-10", "-p", t.getName()).redirectErrorStream(true).start();
                if (p.waitFor() == 0) {
                    raised.add(comm);
                }
            }
        }
        return raised.isEmpty() ? "at the control plane's priority: renice refused" : "threads " + raised + " at nice -10";
    }

    /** CPU ticks of every process named postgres on the machine (the pool's backends live through the window). */
    private static long postgresTicks() {
        long sum = 0;
        java.io.File[] procs = new java.io.File("/proc").listFiles((d, n) -> n.chars().allMatch(Character::isDigit));
        for (java.io.File f : procs == null ? new java.io.File[0] : procs) {
            try {
                String stat = Files.readString(f.toPath().resolve("stat"));
                if (stat.contains("(postgres)")) {
                    sum += cpuTicks(Long.parseLong(f.getName()));
                }
            } catch (Exception gone) {
                // the process ended meanwhile
            }
        }
        return sum;
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
