package io.tributary.agent;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.core.JsonProcessingException;

import io.tributary.agent.control.ControlLoop;
import io.tributary.agent.dvr.DvrConfig;
import io.tributary.agent.dvr.DvrHttp;
import io.tributary.agent.dvr.DvrStore;
import io.tributary.agent.dvr.RemoteArchives;
import io.tributary.agent.edge.EdgeStreams;
import io.tributary.agent.ffmpeg.Natives;
import io.tributary.agent.http.HttpApi;
import io.tributary.agent.ingest.CaptureSupervisor;
import io.tributary.agent.ingest.RateMeter;
import io.tributary.api.Json;
import io.tributary.api.agent.AgentReport;
import io.tributary.api.agent.StreamReport;
import io.tributary.api.server.ServerStats;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

/** One running worker agent: HTTP server, captures and the control loop, wired together. */
public final class Agent implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Agent.class.getName());
    public static final String VERSION = "0.1.0";

    private final AgentConfig config;
    private final Vertx vertx;
    private final CaptureSupervisor supervisor;
    private final AtomicLong bytesSent = new AtomicLong();
    private final RateMeter output = new RateMeter();
    private final long startedAt = System.currentTimeMillis();
    private HttpServer server;
    private ControlLoop control;
    private AgentConfig effective;
    /** Restreaming of streams captured elsewhere, or null. */
    private EdgeStreams edge;
    /** SRT publish on a shared port (TRIBUTARY_SRT_PORT), or null. */
    private volatile io.tributary.agent.srt.SrtListener srt;

    private final Clock clock;
    private final DvrStore dvr;

    private Agent(AgentConfig config, DvrConfig dvrConfig, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.vertx = Vertx.vertx();
        this.supervisor = new CaptureSupervisor(config.dataDir(), config.hostname(), config.fileRoot(), clock,
                bytesSent);
        this.dvr = new DvrStore(dvrConfig, config.hostname(), clock).start();
        supervisor.dvr(dvr);
    }

    public static Agent start(AgentConfig config) throws Exception {
        return start(config, DvrConfig.load(System.getenv(), config.dvrRoot()));
    }

    /** Starts with explicit DVR settings (tests); {@link #start(AgentConfig)} reads them from the environment. */
    public static Agent start(AgentConfig config, DvrConfig dvrConfig) throws Exception {
        if (AgentConfig.PEERING_REDIRECT.equals(config.peering()) && config.redirectBase() == null) {
            throw new IllegalArgumentException("TRIBUTARY_PEERING=redirect needs TRIBUTARY_BALANCER_URL or a control plane");
        }
        Natives.load(config.ffmpegLogLevel());
        Files.createDirectories(config.dataDir());
        Agent a = new Agent(config, dvrConfig, Clock.systemUTC());
        try {
            a.listen();
        } catch (Exception e) {
            a.close();
            throw e;
        }
        return a;
    }

    private void listen() throws Exception {
        if (AgentConfig.PEERING_RESTREAM.equals(config.peering()) && config.controlPlaneUrl() != null) {
            edge = new EdgeStreams(config.controlPlaneUrl(), config.hostname(), config.clusterKey(),
                    config.dataDir().resolve("edge"), clock, bytesSent, supervisor);
        }
        HttpApi api = new HttpApi(vertx, supervisor, this::health, this::metrics, this::reach, bytesSent,
                config.redirectBase(), edge);
        RemoteArchives remote = new RemoteArchives(config.controlPlaneUrl(), config.clusterKey(), config.hostname(),
                config.dataDir().resolve("dvr-cache"), dvr.config().cacheLimit(), clock);
        api.dvr(new DvrHttp(vertx, dvr, remote, config.hostname(), config.dataDir().resolve("dvr-tmp"), bytesSent));
        api.onPoke(this::poke);
        var router = api.router();
        server = vertx.createHttpServer(new HttpServerOptions().setHost(config.bind()).setPort(config.httpPort())
                        .setTcpNoDelay(true))
                .requestHandler(router)
                .listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        int port = server.actualPort();
        // One more server per core on the same fixed port: Vert.x shares the socket and spreads
        // connections over the servers' event loops, so file serving (live and DVR segments) uses
        // every core. Each server must be created on an event loop of its own: servers created from
        // this (non-Vert.x) thread all share one sticky context, hence one event loop, which left the
        // second core idle (seen in a profile of bench/dvr.sh). Verticle instances get one each.
        // (A random port, port 0 in tests, keeps one event loop: it cannot be shared by number.)
        int extra = config.httpPort() == 0 ? 0 : Runtime.getRuntime().availableProcessors() - 1;
        if (extra > 0) {
            vertx.deployVerticle(() -> new io.vertx.core.AbstractVerticle() {
                @Override
                public void start(io.vertx.core.Promise<Void> started) {
                    vertx.createHttpServer(new HttpServerOptions().setHost(config.bind()).setPort(config.httpPort())
                                    .setTcpNoDelay(true))
                            .requestHandler(router).listen().<Void>mapEmpty().onComplete(started);
                }
            }, new io.vertx.core.DeploymentOptions().setInstances(extra))
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (config.srtPort() != AgentConfig.SRT_OFF) {
            srt = io.tributary.agent.srt.SrtListener.start(supervisor, edge, config.hostname(), config.srtBind(),
                    config.srtPort(), config.srtLatencyMs());
        }
        effective = config.httpPort() == port ? config
                : config.withPort(port, config.publicUrl().replace(":" + config.httpPort(), ":" + port));
        LOG.log(Level.INFO, "host=" + config.hostname() + ": listening on " + config.bind() + ":" + port);
        if (config.streamsUrl() != null || config.controlPlaneUrl() != null) {
            control = new ControlLoop(effective, supervisor, this::report, clock);
            control.onDvrDelete(dvr::delete);
            if (edge != null) {
                control.onSources(edge::placements);
            }
            ControlLoop loop = control;
            supervisor.onFirstSegment(loop::nudge);
            control.start();
        }
    }

    /** A poke from the control plane (cluster key): report and poll the config now. */
    private boolean poke(String authorization) {
        String key = config.clusterKey();
        ControlLoop c = control;
        if (key == null || authorization == null || !authorization.startsWith("Bearer ")
                || !java.security.MessageDigest.isEqual(key.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        authorization.substring(7).getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
            return false;
        }
        if (c != null) {
            c.nudge();
        }
        return true;
    }

    public int port() {
        return server.actualPort();
    }

    /** The UDP port of SRT publish, or -1 when it is off. */
    public int srtPort() {
        return srt == null ? AgentConfig.SRT_OFF : srt.port();
    }

    public AgentConfig config() {
        return effective;
    }

    /** The control loop, or null when the agent has neither a control plane nor a config backend. */
    public ControlLoop control() {
        return control;
    }

    public DvrStore dvr() {
        return dvr;
    }

    public CaptureSupervisor supervisor() {
        return supervisor;
    }

    public AgentReport report() {
        List<StreamReport> streams = supervisor.reports();
        long in = streams.stream().mapToLong(s -> s.bitrateIn() == null ? 0 : s.bitrateIn()).sum();
        int clients = streams.stream().mapToInt(s -> s.onlineClients() == null ? 0 : s.onlineClients()).sum();
        int online = (int) streams.stream().filter(s -> "running".equals(s.status())).count();
        output.add(bytesSent.get() - output.total());
        ServerStats stats = new ServerStats(cpuPercent(), output.bitsPerSecond() / 1000, in / 1000, clients, online,
                rssBytes());
        return new AgentReport(effective.publicUrl(), effective.publicUrl(), effective.privateUrl(), effective.roles(),
                effective.group(), effective.channelLimit(), effective.maxBitrate(), VERSION, startedAt, stats,
                streams, control == null ? null : control.configError(), edge == null ? null : edge.reports(),
                dvr.statuses());
    }

    static Double cpuPercent() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            double load = os.getProcessCpuLoad();
            return load < 0 ? null : Math.round(load * 1000.0) / 10.0;
        }
        return null;
    }

    static Long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.trim().split("\\s+");
                    return Long.parseLong(parts[1]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        return Runtime.getRuntime().totalMemory();
    }

    private String health() {
        Map<String, Object> h = new TreeMap<>();
        h.put("status", "UP");
        h.put("hostname", effective.hostname());
        h.put("version", VERSION);
        h.put("streams", supervisor.captures().size());
        if (edge != null) {
            h.put("pulls", edge.size());
        }
        io.tributary.agent.srt.SrtListener l = srt;
        if (l != null) {
            Map<String, Object> s = new TreeMap<>();
            s.put("port", l.port());
            s.put("publishers", l.sessions());
            s.put("refused", l.rejected());
            if (l.lastRejection() != null) {
                s.put("last_refusal", l.lastRejection());
            }
            h.put("srt", s);
        }
        if (control != null) {
            if (effective.controlPlaneUrl() != null) {
                h.put("control_plane", control.controlPlaneReachable() ? "reachable" : "unreachable");
            }
            h.put("config_backend", effective.streamsUrl());
            if (control.fenced()) {
                h.put("fenced", true);
            }
            AgentReport.ConfigExternalError err = control.configError();
            if (err != null) {
                h.put("config_external_error", err);
            }
        }
        try {
            return Json.mapper().writeValueAsString(h);
        } catch (JsonProcessingException e) {
            return "{\"status\":\"UP\"}";
        }
    }

    /** {@code GET /cluster/reach}: what a peer cut off from the control plane asks before fencing itself. */
    private String reach() {
        Map<String, Object> h = new TreeMap<>();
        h.put("hostname", effective.hostname());
        h.put("control_plane_reachable", control != null && effective.controlPlaneUrl() != null
                && control.reachesControlPlane());
        h.put("last_report_ok_ms_ago", control == null ? null : control.lastReportOkMsAgo());
        h.put("fenced", control != null && control.fenced());
        try {
            return Json.mapper().writeValueAsString(h);
        } catch (JsonProcessingException e) {
            return "{}";
        }
    }

    private String metrics() {
        StringBuilder b = new StringBuilder(1024);
        List<StreamReport> streams = supervisor.reports();
        gauge(b, "tributary_agent_up", "1 while the agent runs", null, 1);
        Double cpu = cpuPercent();
        gauge(b, "tributary_agent_cpu_usage_percent", "process CPU as % of all cores", null, cpu == null ? 0 : cpu);
        gauge(b, "tributary_agent_memory_bytes", "resident memory of the process", null, rssBytes());
        counter(b, "tributary_agent_http_sent_bytes_total", "media bytes sent to HTTP clients", bytesSent.get());
        gauge(b, "tributary_agent_control_plane_reachable", "1 when the last report got an answer", null,
                control != null && control.controlPlaneReachable() ? 1 : 0);
        AgentReport.ConfigExternalError err = control == null ? null : control.configError();
        b.append("# HELP tributary_agent_config_external_error 1 while the last config poll failed, by reason\n")
                .append("# TYPE tributary_agent_config_external_error gauge\n");
        for (String reason : List.of("network_error", "malformed_json", "validation_error")) {
            b.append("tributary_agent_config_external_error{reason=\"").append(reason).append("\"} ")
                    .append(err != null && reason.equals(err.reason()) ? 1 : 0).append('\n');
        }
        gauge(b, "tributary_agent_srt_publishers", "SRT callers pushing now", null, srt == null ? 0 : srt.sessions());
        counter(b, "tributary_agent_srt_refused_total", "SRT callers refused (bad streamid, no publish input, conflict)",
                srt == null ? 0 : srt.rejected());
        gauge(b, "tributary_agent_edge_pulls", "streams pulled from other servers (restreamed)", null,
                edge == null ? 0 : edge.size());
        counter(b, "tributary_agent_config_poll_failures_total", "config polls that failed",
                control == null ? 0 : control.configPollFailures());
        gauge(b, "tributary_agent_fenced", "1 while captures are stopped: lease ran out and a peer reaches the control plane",
                null, control != null && control.fenced() ? 1 : 0);
        Map<String, Integer> byStatus = new TreeMap<>();
        for (String s : List.of("running", "starting", "waiting", "error")) {
            byStatus.put(s, 0);
        }
        streams.forEach(s -> byStatus.merge(s.status(), 1, Integer::sum));
        b.append("# HELP tributary_agent_streams streams on this agent by status\n# TYPE tributary_agent_streams gauge\n");
        byStatus.forEach((k, v) -> b.append("tributary_agent_streams{status=\"").append(k).append("\"} ").append(v)
                .append('\n'));
        stream(b, streams, "tributary_stream_bitrate_in_bits", "input bitrate, bits per second", StreamReport::bitrateIn);
        stream(b, streams, "tributary_stream_bitrate_out_bits", "muxed output bitrate, bits per second",
                StreamReport::bitrateOut);
        stream(b, streams, "tributary_stream_online_clients", "viewers on every protocol", s -> s.onlineClients());
        viewers(b);
        stream(b, streams, "tributary_stream_media_sequence", "newest finished HLS segment", StreamReport::mediaSequence);
        stream(b, streams, "tributary_stream_last_frame_age_ms", "time since the last packet", StreamReport::lastFrameAge);
        stream(b, streams, "tributary_stream_running", "1 when the stream is running",
                s -> "running".equals(s.status()) ? 1 : 0);
        dvrMetrics(b);
        return b.toString();
    }

    /** Size and recording error of every DVR archive on this agent. */
    private void dvrMetrics(StringBuilder b) {
        List<io.tributary.api.agent.DvrStatus> archives = dvr.statuses();
        b.append("# HELP tributary_dvr_bytes bytes of the DVR archive on this agent\n# TYPE tributary_dvr_bytes gauge\n");
        archives.forEach(d -> b.append("tributary_dvr_bytes{stream=\"").append(d.name()).append("\"} ").append(d.bytes())
                .append('\n'));
        b.append("# HELP tributary_dvr_error 1 while recording fails (dvr_disk_full, dvr_write_failed)\n"
                + "# TYPE tributary_dvr_error gauge\n");
        archives.forEach(d -> b.append("tributary_dvr_error{stream=\"").append(d.name()).append("\"} ")
                .append(d.error() == null ? 0 : 1).append('\n'));
    }

    /** Viewers by stream and protocol, and the agent's totals by protocol. */
    private void viewers(StringBuilder b) {
        b.append("# HELP tributary_stream_clients viewers by protocol (HLS sessions, open MPEG-TS connections)\n")
                .append("# TYPE tributary_stream_clients gauge\n");
        long hls = 0;
        long ts = 0;
        for (var e : new TreeMap<>(supervisor.captures()).entrySet()) {
            int h = e.getValue().output().hlsSessions().count();
            int t = e.getValue().output().fanout().clientCount();
            hls += h;
            ts += t;
            b.append("tributary_stream_clients{stream=\"").append(e.getKey()).append("\",protocol=\"hls\"} ").append(h)
                    .append('\n');
            b.append("tributary_stream_clients{stream=\"").append(e.getKey()).append("\",protocol=\"mpegts\"} ")
                    .append(t).append('\n');
        }
        b.append("# HELP tributary_agent_clients viewers of every stream by protocol\n# TYPE tributary_agent_clients gauge\n");
        b.append("tributary_agent_clients{protocol=\"hls\"} ").append(hls).append('\n');
        b.append("tributary_agent_clients{protocol=\"mpegts\"} ").append(ts).append('\n');
    }

    private static void gauge(StringBuilder b, String name, String help, String labels, double value) {
        b.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" gauge\n");
        b.append(name).append(labels == null ? "" : labels).append(' ').append(format(value)).append('\n');
    }

    private static void counter(StringBuilder b, String name, String help, long value) {
        b.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" counter\n");
        b.append(name).append(' ').append(value).append('\n');
    }

    private static void stream(StringBuilder b, List<StreamReport> streams, String name, String help,
            java.util.function.Function<StreamReport, Number> f) {
        b.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" gauge\n");
        for (StreamReport s : streams) {
            Number v = f.apply(s);
            if (v != null) {
                b.append(name).append("{stream=\"").append(s.name()).append("\"} ").append(format(v.doubleValue()))
                        .append('\n');
            }
        }
    }

    private static String format(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.3f", v);
    }

    @Override
    public void close() {
        if (srt != null) {
            srt.close();
        }
        if (control != null) {
            control.close();
        }
        if (edge != null) {
            edge.close();
        }
        supervisor.stopAll();
        dvr.close();
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.log(Level.WARNING, "vert.x did not close cleanly: " + e);
        }
    }
}
