package io.tributary.controlplane.balancer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.ThreadLocalRandom;
import io.tributary.api.balancer.BalancerSettings;
import io.tributary.controlplane.common.TributaryConfig;
import org.jboss.logging.Logger;

/**
 * The balancer's in-memory view of the cluster, refreshed from PostgreSQL a few times a second
 * on every replica, so a redirect costs no database round trip. Counts the redirects issued to
 * each server since its last report.
 */
@ApplicationScoped
public class BalancerState {
    private static final Logger LOG = Logger.getLogger(BalancerState.class);

    /** What a redirect needs to know, as of the last refresh. */
    record Snapshot(Map<String, StreamInfo> streams, List<ServerInfo> servers, BalancerSettings settings) {
    }

    record StreamInfo(boolean disabled, long bitrate, Set<String> servedBy, String group) {
    }

    record ServerInfo(String hostname, String publicUrl, boolean edge, boolean up, boolean eligible, long outputBitrate,
            int clients, int streams, Long maxBitrate, long reportedAt) {
    }

    private final AgroalDataSource dataSource;
    private final ObjectMapper json;
    private final long refreshMs;
    private final Balancer.Mode mode;
    private final Map<String, AtomicLong> pending = new ConcurrentHashMap<>();
    private final Map<String, Long> pendingSince = new ConcurrentHashMap<>();
    private volatile Snapshot snapshot = new Snapshot(Map.of(), List.of(), new BalancerSettings(null, null, null, null));
    private ScheduledExecutorService timer;

    public BalancerState(AgroalDataSource dataSource, ObjectMapper json, TributaryConfig config) {
        this.dataSource = dataSource;
        this.json = json;
        this.refreshMs = config.balancer().refreshMs();
        this.mode = Balancer.Mode.parse(config.balancer().mode());
    }

    void onStart(@Observes StartupEvent ev) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tributary-balancer-refresh");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::refreshQuietly, 0, refreshMs, TimeUnit.MILLISECONDS);
    }

    void onStop(@Observes ShutdownEvent ev) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /** The outcome of one balancing decision. */
    public sealed interface Decision {
        /** Send the viewer to this URL base. */
        record Redirect(String hostname, String publicUrl) implements Decision {
        }

        /** No such stream (or disabled). */
        record Unknown(String reason) implements Decision {
        }

        /** The stream exists but no server can take a viewer now. */
        record Unavailable(String reason) implements Decision {
        }
    }

    public Decision decide(String stream) {
        Snapshot s = snapshot;
        StreamInfo info = s.streams().get(stream);
        if (info == null) {
            return new Decision.Unknown("stream '" + stream + "' does not exist");
        }
        if (info.disabled()) {
            return new Decision.Unknown("stream '" + stream + "' is disabled");
        }
        BalancerSettings settings = s.settings();
        BalancerSettings.Rule rule = settings.streams() == null ? null : settings.streams().get(stream);
        if (rule == null && info.group() != null && settings.groups() != null) {
            rule = settings.groups().get(info.group());
        }
        boolean override = rule != null && Boolean.TRUE.equals(rule.override());
        Set<String> only = rule == null || rule.servers() == null ? null : Set.copyOf(rule.servers());
        List<Balancer.Candidate> candidates = new ArrayList<>();
        for (ServerInfo v : s.servers()) {
            if (v.publicUrl() == null || !v.up() || only != null && !only.contains(v.hostname())) {
                continue;
            }
            if (!override && (!v.edge() || !v.eligible())) {
                continue;
            }
            double weight = settings.weights() == null ? 1.0 : settings.weights().getOrDefault(v.hostname(), 1.0);
            candidates.add(new Balancer.Candidate(v.hostname(), v.publicUrl(), v.outputBitrate(), v.clients(), v.streams(),
                    v.maxBitrate(), info.servedBy().contains(v.hostname()), pendingFor(v), weight));
        }
        Balancer.Mode m = rule != null && rule.mode() != null ? Balancer.Mode.parse(rule.mode())
                : settings.mode() != null ? Balancer.Mode.parse(settings.mode()) : mode;
        Balancer.Candidate c = Balancer.choose(candidates, m, Math.max(info.bitrate(), 500_000),
                ThreadLocalRandom.current());
        if (c == null) {
            return new Decision.Unavailable(candidates.isEmpty() ? "no edge server is up and accepting viewers"
                    : "every edge server is at its max_bitrate");
        }
        pending.computeIfAbsent(c.hostname(), k -> new AtomicLong()).incrementAndGet();
        return new Decision.Redirect(c.hostname(), c.publicUrl());
    }

    private long pendingFor(ServerInfo v) {
        Long since = pendingSince.get(v.hostname());
        if (since == null || since != v.reportedAt()) {
            // A new report already counts the viewers sent before it.
            pendingSince.put(v.hostname(), v.reportedAt());
            pending.computeIfAbsent(v.hostname(), k -> new AtomicLong()).set(0);
        }
        return pending.computeIfAbsent(v.hostname(), k -> new AtomicLong()).get();
    }

    /** Refreshes the view now (after the settings changed on this replica). */
    void refreshSoon() {
        if (timer != null && !timer.isShutdown()) {
            timer.execute(this::refreshQuietly);
        }
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (Exception e) {
            LOG.debugf("balancer refresh failed (keeping the last view): %s", e.toString());
        }
    }

    /** Reloads the view (package-visible for tests that need it at once). */
    void refresh() throws SQLException {
        Map<String, StreamInfo> streams = new HashMap<>();
        Map<String, Set<String>> servedBy = new HashMap<>();
        Map<String, Long> bitrate = new HashMap<>();
        List<ServerInfo> servers = new ArrayList<>();
        BalancerSettings settings = new BalancerSettings(null, null, null, null);
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT r.stream_name, r.hostname, r.report->>'bitrate_in' FROM stream_reports r "
                    + "JOIN servers s ON s.hostname = r.hostname WHERE r.status = 'running' AND s.status = 'up'")) {
                while (rs.next()) {
                    servedBy.computeIfAbsent(rs.getString(1), k -> new HashSet<>()).add(rs.getString(2));
                    String b = rs.getString(3);
                    if (b != null) {
                        bitrate.merge(rs.getString(1), Long.parseLong(b), Math::max);
                    }
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT name, disabled, config->'labels'->>'group' FROM streams")) {
                while (rs.next()) {
                    String n = rs.getString(1);
                    streams.put(n, new StreamInfo(rs.getBoolean(2), bitrate.getOrDefault(n, 0L),
                            servedBy.getOrDefault(n, Set.of()), rs.getString(3)));
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT CAST(settings AS text) FROM balancer_settings WHERE id = 1")) {
                settings = rs.next() ? json.readValue(rs.getString(1), BalancerSettings.class) : settings;
            }
            try (ResultSet rs = st.executeQuery("SELECT s.hostname, s.public_payload_url, s.roles, s.status, s.draining, "
                    + "s.max_bitrate, CAST(r.stats AS text), r.last_seen_at FROM servers s "
                    + "LEFT JOIN server_reports r ON r.hostname = s.hostname")) {
                while (rs.next()) {
                    JsonNode stats = rs.getString(7) == null ? json.createObjectNode() : json.readTree(rs.getString(7));
                    long max = rs.getLong(6);
                    java.sql.Timestamp seen = rs.getTimestamp(8);
                    servers.add(new ServerInfo(rs.getString(1), rs.getString(2),
                            List.of(rs.getString(3).split(",")).contains("edge"), "up".equals(rs.getString(4)),
                            "up".equals(rs.getString(4)) && !rs.getBoolean(5),
                            stats.path("output_kbit").asLong(0) * 1000, stats.path("total_clients").asInt(0),
                            stats.path("online_streams").asInt(0), max == 0 ? null : max,
                            seen == null ? 0 : seen.getTime()));
                }
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new SQLException("bad stats JSON", e);
        }
        snapshot = new Snapshot(streams, servers, settings);
    }
}
