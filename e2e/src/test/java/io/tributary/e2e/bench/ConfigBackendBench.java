package io.tributary.e2e.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.e2e.harness.ClusterHarness;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Config backend benchmark (bench/config-backend.sh): 10,000 streams over 100 hosts; each host's
 * full list, then the same polls with If-None-Match (304), next to the trivial /q/health/live of
 * the same server as the anchor, at the same concurrency.
 */
@Tag("bench")
class ConfigBackendBench {
    static final int STREAMS = Integer.getInteger("bench.streams", 10_000);
    static final int HOSTS = Integer.getInteger("bench.hosts", 100);
    static final int SECONDS = Integer.getInteger("bench.seconds", 15);
    static final int CLIENTS = Integer.getInteger("bench.clients", 8);

    @Test
    void configBackend() throws Exception {
        try (ClusterHarness cluster = ClusterHarness.start(0)) {
            try (Connection c = cluster.database().connect(); Statement st = c.createStatement()) {
                st.execute("INSERT INTO servers (hostname, status, roles) SELECT 'host-' || g, 'up', 'ingest,edge' "
                        + "FROM generate_series(1, " + HOSTS + ") g");
                st.execute("INSERT INTO streams (name, config, is_static, disabled) SELECT 'cam-' || g, "
                        + "jsonb_build_object('name', 'cam-' || g, 'inputs', jsonb_build_array(jsonb_build_object('url', "
                        + "'rtsp://10.0.' || (g % 250) || '.' || (g % 200) || '/stream1', 'priority', 1)), 'title', 'Camera ' || g, "
                        + "'segment_duration', 2000), true, false FROM generate_series(1, " + STREAMS + ") g");
                // Behind the API's back: move the content epoch as a stream change through it does.
                st.execute("UPDATE config_epoch SET epoch = epoch + 1, content_epoch = content_epoch + 1 WHERE id = 1");
                st.execute("INSERT INTO assignments (stream_name, hostname, generation) SELECT 'cam-' || g, "
                        + "'host-' || (1 + g % " + HOSTS + "), nextval('assignment_generation_seq') FROM generate_series(1, "
                        + STREAMS + ") g");
                st.execute("ANALYZE");
            }
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            String key = cluster.clusterKey();
            String etag = http.send(HttpRequest.newBuilder(URI.create(cluster.url() + "/config-external/streams?host=host-1"))
                    .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString())
                    .headers().firstValue("ETag").orElseThrow();
            int perHost = STREAMS / HOSTS;
            Result health = run(http, i -> HttpRequest.newBuilder(URI.create(cluster.url() + "/q/health/live")).build(), 200);
            Result full = run(http, i -> HttpRequest.newBuilder(URI.create(cluster.url()
                    + "/config-external/streams?host=host-" + (1 + i % HOSTS))).header("Authorization", "Bearer " + key).build(), 200);
            Result notModified = run(http, i -> HttpRequest.newBuilder(URI.create(cluster.url()
                    + "/config-external/streams?host=host-" + (1 + i % HOSTS))).header("Authorization", "Bearer " + key)
                    .header("If-None-Match", etag).build(), 304);
            System.out.printf("CONFIG_BACKEND streams=%d hosts=%d (%d per host) clients=%d | full list p50=%.1fms p99=%.1fms %.0f req/s"
                            + " | 304 p50=%.1fms p99=%.1fms %.0f req/s | anchor /q/health/live p50=%.1fms p99=%.1fms %.0f req/s"
                            + " | target p99<=100ms%n",
                    STREAMS, HOSTS, perHost, CLIENTS, full.p(50), full.p(99), full.rps, notModified.p(50), notModified.p(99),
                    notModified.rps, health.p(50), health.p(99), health.rps);
            assertThat(full.count).isPositive();
        }
    }

    record Result(List<Double> ms, double rps, int count) {
        double p(int pct) {
            int i = (int) Math.ceil(pct / 100.0 * ms.size()) - 1;
            return ms.get(Math.max(0, Math.min(ms.size() - 1, i)));
        }
    }

    interface Req {
        HttpRequest make(int i);
    }

    private Result run(HttpClient http, Req req, int expected) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        long end = System.nanoTime() + Duration.ofSeconds(SECONDS).toNanos();
        List<Future<List<Double>>> fs = new ArrayList<>();
        for (int t = 0; t < CLIENTS; t++) {
            int offset = t * 7919;
            fs.add(pool.submit(() -> {
                List<Double> out = new ArrayList<>();
                int i = offset;
                while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    HttpResponse<byte[]> r = http.send(req.make(i++), HttpResponse.BodyHandlers.ofByteArray());
                    if (r.statusCode() != expected) {
                        throw new IllegalStateException("status " + r.statusCode());
                    }
                    out.add((System.nanoTime() - t0) / 1e6);
                }
                return out;
            }));
        }
        List<Double> all = new ArrayList<>();
        for (Future<List<Double>> f : fs) {
            all.addAll(f.get());
        }
        pool.shutdown();
        Collections.sort(all);
        return new Result(all, all.size() / (double) SECONDS, all.size());
    }
}
