package io.tributary.controlplane.agent;

import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tributary.controlplane.common.TributaryConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Write-behind for what every report changes and nothing decides on at once: a server's last
 * seen time and stats, and the report of a stream whose status and generation did not change
 * (its newest segment, bitrates), and the demand of on-demand streams with viewers. A report that changes a status, a generation, a row's
 * existence or a server's state is still written in its own transaction; the rest is kept here
 * (the newest per row) and written by one thread every {@code report-flush-ms} in two
 * statements, instead of a dozen statements and a commit per report, a thousand times a second.
 *
 * <p>A row is only overwritten by a newer report of the same status and generation, so a late
 * flush (or another replica's) never undoes a change written meanwhile. The lag it adds to
 * {@code last_seen_at} (one flush interval) is far below the failover timeout.
 */
@ApplicationScoped
public class ReportBuffer {
    private static final Logger LOG = Logger.getLogger(ReportBuffer.class);

    record ServerHot(Instant lastSeen, Long agentStartedAt, String agentVersion, String stats, String configExternalError) {
    }

    record StreamKey(String stream, String hostname) {
        /** The order two replicas' flushes lock rows in. */
        static final java.util.Comparator<StreamKey> ORDER = (a, b) -> {
            int c = a.stream.compareTo(b.stream);
            return c != 0 ? c : a.hostname.compareTo(b.hostname);
        };
    }

    /**
     * A stream's report to write behind; {@code steady} when it came by the quick path (a host in
     * no hand-off, nothing changed but numbers), which is written at most every
     * {@code report-stream-write-ms}: the rest are written at the next flush.
     */
    record StreamHot(String report, Instant at, Long generation, String status, boolean steady) {
    }

    private final AgroalDataSource db;
    private final TributaryConfig config;
    private final Map<String, ServerHot> servers = new ConcurrentHashMap<>();
    private final Map<StreamKey, StreamHot> streams = new ConcurrentHashMap<>();
    /** When each stream row was last written (by a flush or in full), for the steady ones' pace. */
    private final Map<StreamKey, Long> writtenAtMs = new ConcurrentHashMap<>();
    /** On-demand streams with viewers, and when a report last showed them. */
    private final Map<String, Instant> demand = new ConcurrentHashMap<>();
    private final AtomicLong flushes = new AtomicLong();
    private ScheduledExecutorService executor;

    public ReportBuffer(AgroalDataSource db, TributaryConfig config) {
        this.db = db;
        this.config = config;
    }

    void onStart(@Observes StartupEvent ev) {
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tributary-report-flush");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(10, config.reportFlushMs());
        executor.scheduleWithFixedDelay(this::flushQuietly, every, every, TimeUnit.MILLISECONDS);
    }

    void onStop(@Observes ShutdownEvent ev) {
        if (executor != null) {
            executor.shutdownNow();
        }
        flushQuietly();
    }

    void server(String hostname, ServerHot hot) {
        servers.merge(hostname, hot, (old, neu) -> neu.lastSeen().isBefore(old.lastSeen()) ? old : neu);
    }

    /** A server's row was just written in full: an older buffered value must not follow it. */
    void serverWritten(String hostname) {
        servers.remove(hostname);
    }

    void stream(String stream, String hostname, StreamHot hot) {
        streams.merge(new StreamKey(stream, hostname), hot, (old, neu) -> {
            StreamHot newest = neu.at().isBefore(old.at()) ? old : neu;
            // One waiting for the next flush does not wait longer because a steady one followed it.
            boolean steady = old.steady() && neu.steady();
            return newest.steady() == steady ? newest
                    : new StreamHot(newest.report(), newest.at(), newest.generation(), newest.status(), steady);
        });
    }

    void streamWritten(String stream, String hostname) {
        StreamKey k = new StreamKey(stream, hostname);
        streams.remove(k);
        writtenAtMs.put(k, System.currentTimeMillis());
    }

    /** A report showed viewers of these streams (their demand is kept alive at the next flush). */
    void demand(java.util.Collection<String> names, Instant at) {
        for (String n : names) {
            demand.merge(n, at, (old, neu) -> neu.isBefore(old) ? old : neu);
        }
    }

    /** Flushes so far (for tests). */
    long flushes() {
        return flushes.get();
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("report flush failed, its reports are dropped (the next ones carry the same facts): %s", e.toString());
        }
    }

    /** Writes what is buffered now; entries added meanwhile wait for the next flush. */
    void flush() throws SQLException {
        List<String> hosts = new ArrayList<>();
        List<ServerHot> serverRows = new ArrayList<>();
        // Sorted, so two replicas' flushes lock rows in the same order.
        for (String h : new java.util.TreeSet<>(servers.keySet())) {
            ServerHot v = servers.remove(h);
            if (v != null) {
                hosts.add(h);
                serverRows.add(v);
            }
        }
        List<StreamKey> keys = new ArrayList<>();
        List<StreamHot> streamRows = new ArrayList<>();
        long nowMs = System.currentTimeMillis();
        long steadyEvery = config.reportStreamWriteMs();
        // The due ones first, then sorted: a steady row written lately waits (its newest value
        // stays buffered), and at 10,000 buffered rows, most of them such, sorting them all five
        // times a second was a tenth of the control plane's CPU.
        List<StreamKey> due = new ArrayList<>();
        for (Map.Entry<StreamKey, StreamHot> e : streams.entrySet()) {
            if (!e.getValue().steady() || nowMs - writtenAtMs.getOrDefault(e.getKey(), 0L) >= steadyEvery) {
                due.add(e.getKey());
            }
        }
        due.sort(StreamKey.ORDER);
        for (StreamKey k : due) {
            StreamHot v = streams.remove(k);
            if (v != null) {
                keys.add(k);
                streamRows.add(v);
                writtenAtMs.put(k, nowMs);
            }
        }
        if (flushes.get() % 1000 == 0) {
            // Rows of streams that left a host are no longer reported: forget their times.
            writtenAtMs.values().removeIf(t -> nowMs - t > 60_000);
        }
        List<String> wanted = new ArrayList<>();
        List<Timestamp> wantedAt = new ArrayList<>();
        for (String n : new java.util.TreeSet<>(demand.keySet())) {
            Instant at = demand.remove(n);
            if (at != null) {
                wanted.add(n);
                wantedAt.add(Timestamp.from(at));
            }
        }
        if (hosts.isEmpty() && keys.isEmpty() && wanted.isEmpty()) {
            return;
        }
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (!hosts.isEmpty()) {
                    writeServers(c, hosts, serverRows);
                }
                if (!keys.isEmpty()) {
                    writeStreams(c, keys, streamRows);
                }
                if (!wanted.isEmpty()) {
                    try (PreparedStatement st = c.prepareStatement("UPDATE stream_demand d SET last_demand_at = v.at "
                            + "FROM unnest(?::text[], ?::timestamptz[]) AS v(name, at) "
                            + "WHERE d.stream_name = v.name AND d.last_demand_at < v.at")) {
                        st.setArray(1, c.createArrayOf("text", wanted.toArray()));
                        st.setArray(2, c.createArrayOf("timestamptz", wantedAt.toArray()));
                        st.executeUpdate();
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        flushes.incrementAndGet();
    }

    private static void writeServers(Connection c, List<String> hosts, List<ServerHot> rows) throws SQLException {
        int n = hosts.size();
        Timestamp[] seen = new Timestamp[n];
        Long[] started = new Long[n];
        String[] version = new String[n];
        String[] stats = new String[n];
        String[] error = new String[n];
        for (int i = 0; i < n; i++) {
            ServerHot v = rows.get(i);
            seen[i] = Timestamp.from(v.lastSeen());
            started[i] = v.agentStartedAt();
            version[i] = v.agentVersion();
            stats[i] = v.stats();
            error[i] = v.configExternalError();
        }
        try (PreparedStatement st = c.prepareStatement("UPDATE server_reports r SET last_seen_at = v.seen, "
                + "agent_started_at = v.started, agent_version = v.version, stats = CAST(v.stats AS jsonb), "
                + "config_external_error = CAST(v.error AS jsonb) "
                + "FROM unnest(?::text[], ?::timestamptz[], ?::bigint[], ?::text[], ?::text[], ?::text[]) "
                + "AS v(hostname, seen, started, version, stats, error) "
                + "WHERE r.hostname = v.hostname AND r.last_seen_at <= v.seen")) {
            st.setArray(1, c.createArrayOf("text", hosts.toArray()));
            st.setArray(2, c.createArrayOf("timestamptz", seen));
            st.setArray(3, c.createArrayOf("int8", started));
            st.setArray(4, c.createArrayOf("text", version));
            st.setArray(5, c.createArrayOf("text", stats));
            st.setArray(6, c.createArrayOf("text", error));
            st.executeUpdate();
        }
    }

    private static void writeStreams(Connection c, List<StreamKey> keys, List<StreamHot> rows) throws SQLException {
        int n = keys.size();
        String[] names = new String[n];
        String[] hosts = new String[n];
        String[] reports = new String[n];
        Timestamp[] at = new Timestamp[n];
        Long[] generation = new Long[n];
        String[] status = new String[n];
        for (int i = 0; i < n; i++) {
            StreamHot v = rows.get(i);
            names[i] = keys.get(i).stream();
            hosts[i] = keys.get(i).hostname();
            reports[i] = v.report();
            at[i] = Timestamp.from(v.at());
            generation[i] = v.generation();
            status[i] = v.status();
        }
        try (PreparedStatement st = c.prepareStatement("UPDATE stream_reports r SET report = CAST(v.report AS jsonb), "
                + "reported_at = v.at FROM unnest(?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::bigint[], ?::text[]) "
                + "AS v(stream_name, hostname, report, at, generation, status) "
                + "WHERE r.stream_name = v.stream_name AND r.hostname = v.hostname AND r.reported_at <= v.at "
                + "AND r.generation IS NOT DISTINCT FROM v.generation AND r.status = v.status")) {
            st.setArray(1, c.createArrayOf("text", names));
            st.setArray(2, c.createArrayOf("text", hosts));
            st.setArray(3, c.createArrayOf("text", reports));
            st.setArray(4, c.createArrayOf("timestamptz", at));
            st.setArray(5, c.createArrayOf("int8", generation));
            st.setArray(6, c.createArrayOf("text", status));
            st.executeUpdate();
        }
    }
}
