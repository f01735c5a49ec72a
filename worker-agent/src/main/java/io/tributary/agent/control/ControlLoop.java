package io.tributary.agent.control;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.tributary.agent.AgentConfig;
import io.tributary.agent.ingest.CaptureSupervisor;
import io.tributary.api.Json;
import io.tributary.api.agent.AgentReport;
import io.tributary.api.agent.AgentReportResponse;
import io.tributary.api.configbackend.ConfigBackendStreams;
import io.tributary.api.stream.StreamConfig;

/**
 * Talks to the control plane on its own thread (never an event loop): reports at the interval the
 * control plane asks for, polls the config backend (at least every poll interval, at once when
 * the report answer's ETag differs) and applies the result. When the control plane is
 * unreachable it keeps the last good config running.
 */
public final class ControlLoop implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ControlLoop.class.getName());
    private static final long DEFAULT_INTERVAL_MS = 1000;

    private final AgentConfig config;
    private final CaptureSupervisor supervisor;
    private final Supplier<AgentReport> reports;
    private final ObjectMapper json = Json.mapper();
    private final HttpClient http;
    private final ScheduledExecutorService executor;
    private volatile long intervalMs = DEFAULT_INTERVAL_MS;
    private volatile boolean reachable;
    private volatile String configEtag;
    private volatile long lastPollNanos;
    private volatile boolean closed;
    private long failuresLogged;

    public ControlLoop(AgentConfig config, CaptureSupervisor supervisor, Supplier<AgentReport> reports) {
        this.config = config;
        this.supervisor = supervisor;
        this.reports = reports;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "control-loop");
            t.setDaemon(true);
            return t;
        });
    }

    public void start() {
        executor.execute(this::tick);
    }

    public boolean controlPlaneReachable() {
        return reachable;
    }

    private void tick() {
        if (closed) {
            return;
        }
        String wantEtag = null;
        try {
            if (config.controlPlaneUrl() != null) {
                AgentReportResponse r = report();
                reachable = true;
                failuresLogged = 0;
                if (r != null) {
                    if (r.reportIntervalMs() != null && r.reportIntervalMs() > 0) {
                        intervalMs = Math.max(100, r.reportIntervalMs());
                    }
                    if (r.stop() != null) {
                        for (String name : r.stop()) {
                            supervisor.fence(name);
                        }
                    }
                    wantEtag = r.configEtag();
                }
            }
        } catch (Exception e) {
            reachable = false;
            logFailure("report to " + config.controlPlaneUrl() + " failed: " + e);
        }
        try {
            boolean due = System.nanoTime() - lastPollNanos >= config.configPollIntervalMs() * 1_000_000L
                    || lastPollNanos == 0;
            boolean changed = wantEtag != null && !wantEtag.equals(configEtag);
            if (config.streamsUrl() != null && (due || changed)) {
                poll();
            }
        } catch (Exception e) {
            logFailure("config poll of " + config.streamsUrl() + " failed, keeping the last good config: " + e);
        }
        if (!closed) {
            executor.schedule(this::tick, intervalMs, TimeUnit.MILLISECONDS);
        }
    }

    private void logFailure(String message) {
        // Once, then every 30th time: a control plane that is down must not flood the log.
        if (failuresLogged++ % 30 == 0) {
            LOG.log(Level.WARNING, "host=" + config.hostname() + ": " + message);
        }
    }

    private HttpRequest.Builder request(String url) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3))
                .header("Accept", "application/json");
        if (config.clusterKey() != null) {
            b.header("Authorization", "Bearer " + config.clusterKey());
        }
        return b;
    }

    private AgentReportResponse report() throws IOException, InterruptedException {
        String url = config.controlPlaneUrl() + "/api/v1/agents/"
                + URLEncoder.encode(config.hostname(), StandardCharsets.UTF_8);
        byte[] body = json.writeValueAsBytes(reports.get());
        HttpResponse<byte[]> resp = http.send(request(url).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        if (resp.statusCode() / 100 != 2) {
            throw new IOException("HTTP " + resp.statusCode() + ": " + new String(resp.body(), StandardCharsets.UTF_8));
        }
        return resp.body().length == 0 ? null : json.readValue(resp.body(), AgentReportResponse.class);
    }

    /** Fetches every page of the desired streams; applies them only when all pages came. */
    private void poll() throws IOException, InterruptedException {
        String base = config.streamsUrl();
        String first = base + (base.contains("?") ? "&" : "?") + "host="
                + URLEncoder.encode(config.hostname(), StandardCharsets.UTF_8);
        List<StreamConfig> all = new ArrayList<>();
        String url = first;
        String etag = null;
        int pages = 0;
        while (url != null && pages++ < 1000) {
            HttpRequest.Builder b = request(url).GET();
            if (pages == 1 && configEtag != null) {
                b.header("If-None-Match", configEtag);
            }
            HttpResponse<byte[]> resp = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (pages == 1 && resp.statusCode() == 304) {
                lastPollNanos = System.nanoTime();
                return;
            }
            if (resp.statusCode() / 100 != 2) {
                throw new IOException("HTTP " + resp.statusCode() + " from " + url);
            }
            if (pages == 1) {
                etag = resp.headers().firstValue("ETag").orElse(null);
            }
            ConfigBackendStreams page = json.readValue(resp.body(), ConfigBackendStreams.class);
            if (page.streams() != null) {
                all.addAll(page.streams());
            }
            url = nextUrl(first, page.next());
        }
        supervisor.apply(all);
        configEtag = etag;
        lastPollNanos = System.nanoTime();
    }

    static String nextUrl(String first, String next) {
        if (next == null || next.isBlank()) {
            return null;
        }
        if (next.startsWith("http://") || next.startsWith("https://")) {
            return next;
        }
        return first + "&cursor=" + URLEncoder.encode(next, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        closed = true;
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
