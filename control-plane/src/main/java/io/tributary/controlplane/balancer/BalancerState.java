package io.tributary.controlplane.balancer;

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
            refresh(false);
        } catch (Exception e) {
            LOG.debugf("balancer refresh failed (keeping the last view): %s", e.toString());
        }
    }

    /**
     * How many refreshes reuse the streams' part of the view (which servers serve each, its
     * bitrate, disabled, group: 20,000 rows at 10,000 streams) before it is read again; the
     * servers' part (load, state) is read every time. A stream's bitrate only sizes one viewer's
     * cost and the servers' state is checked per decision, so a second of age there is harmless.
     */
    static final int STREAMS_EVERY = 4;

    private int sinceStreams = STREAMS_EVERY;
    private long contentEpoch = -1;

    /** Reloads the view (package-visible for tests that need it at once). */
    void refresh() throws SQLException {
        refresh(true);
    }

    private synchronized void refresh(boolean all) throws SQLException {
        Map<String, StreamInfo> streams = snapshot.streams();
        List<ServerInfo> servers = new ArrayList<>();
        BalancerSettings settings = new BalancerSettings(null, null, null, null);
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            long epoch = -1;
            try (ResultSet rs = st.executeQuery("SELECT content_epoch FROM config_epoch WHERE id = 1")) {
                epoch = rs.next() ? rs.getLong(1) : -1;
            }
            // A stream added, changed or removed is seen at the next refresh; only the reports' part waits.
            if (all || ++sinceStreams >= STREAMS_EVERY || epoch != contentEpoch) {
                streams = readStreams(st);
                sinceStreams = 0;
                contentEpoch = epoch;
            }
            try (ResultSet rs = st.executeQuery("SELECT CAST(settings AS text) FROM balancer_settings WHERE id = 1")) {
                settings = rs.next() ? json.readValue(rs.getString(1), BalancerSettings.class) : settings;
            }
            try (ResultSet rs = st.executeQuery("SELECT s.hostname, s.public_payload_url, s.roles, s.status, s.draining, "
                    + "s.max_bitrate, r.stats->>'output_kbit', r.stats->>'total_clients', r.stats->>'online_streams', "
                    + "r.last_seen_at FROM servers s LEFT JOIN server_reports r ON r.hostname = s.hostname")) {
                while (rs.next()) {
                    long max = rs.getLong(6);
                    java.sql.Timestamp seen = rs.getTimestamp(10);
                    servers.add(new ServerInfo(rs.getString(1), rs.getString(2),
                            List.of(rs.getString(3).split(",")).contains("edge"), "up".equals(rs.getString(4)),
                            "up".equals(rs.getString(4)) && !rs.getBoolean(5),
                            number(rs.getString(7)) * 1000, (int) number(rs.getString(8)), (int) number(rs.getString(9)),
                            max == 0 ? null : max, seen == null ? 0 : seen.getTime()));
                }
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new SQLException("bad balancer settings JSON", e);
        }
        snapshot = new Snapshot(streams, servers, settings);
    }

    /** A stats number as the agent reported it (a JSON number as text), 0 when absent or not a number. */
    static long number(String text) {
        if (text == null) {
            return 0;
        }
        try {
            return (long) Double.parseDouble(text);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Map<String, StreamInfo> readStreams(Statement st) throws SQLException {
        Map<String, StreamInfo> streams = new HashMap<>();
        Map<String, Set<String>> servedBy = new HashMap<>();
        Map<String, Long> bitrate = new HashMap<>();
        try (ResultSet rs = st.executeQuery("SELECT r.stream_name, r.hostname, r.report->>'bitrate_in' FROM stream_reports r "
                + "JOIN servers s ON s.hostname = r.hostname WHERE r.status = 'running' AND s.status = 'up'")) {
            while (rs.next()) {
                servedBy.computeIfAbsent(rs.getString(1), k -> new HashSet<>()).add(rs.getString(2));
                long b = number(rs.getString(3));
                if (b > 0) {
                    bitrate.merge(rs.getString(1), b, Math::max);
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
        return streams;
    }
}
