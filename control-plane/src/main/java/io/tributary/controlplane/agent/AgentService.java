package io.tributary.controlplane.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.api.agent.AgentReport;
import io.tributary.api.agent.AgentReportResponse;
import io.tributary.api.agent.StreamReport;
import io.tributary.api.server.ServerConfig;
import io.tributary.api.stream.StreamValidation;
import io.tributary.controlplane.assignment.AssignmentEntity;
import io.tributary.controlplane.assignment.HandoffCutover;
import io.tributary.controlplane.assignment.Scheduler;
import io.tributary.controlplane.common.ApiException;
import io.tributary.controlplane.common.JsonText;
import io.tributary.controlplane.common.TributaryConfig;
import io.tributary.controlplane.edge.DemandService;
import io.tributary.controlplane.edge.PullService;
import io.tributary.controlplane.event.EventService;
import io.tributary.controlplane.server.ServerEntity;
import io.tributary.controlplane.server.ServerService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.FlushModeType;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Takes agent reports: registers the server, records what it observed (never the desired
 * state), marks it up, completes hand-offs, and answers with the streams it must stop (fencing).
 */
@ApplicationScoped
public class AgentService {
    private final EntityManager em;
    private final ObjectMapper json;
    private final EventService events;
    private final TributaryConfig config;
    private final Scheduler scheduler;
    private final Clock clock;
    private final io.tributary.controlplane.dvr.DvrService dvr;
    private final DemandService demand;
    private final PullService pulls;
    private final ReportBuffer buffer;
    private final io.micrometer.core.instrument.MeterRegistry meters;
    private final io.tributary.controlplane.configbackend.ConfigBackendService backend;
    private final io.agroal.api.AgroalDataSource db;
    private final jakarta.transaction.TransactionSynchronizationRegistry transactions;
    /** What this replica last wrote of each host in a full report (see {@link #quickReport}). */
    private final Map<String, HostMemory> memory = new java.util.concurrent.ConcurrentHashMap<>();
    /**
     * Hosts whose server_reports row this replica wrote in full since it started, with the
     * config_external_error it wrote ("" for none): a change of that error is written at once.
     */
    private final Map<String, String> rowWritten = new java.util.concurrent.ConcurrentHashMap<>();

    public AgentService(EntityManager em, ObjectMapper json, EventService events,
            TributaryConfig config, Scheduler scheduler, Clock clock, io.tributary.controlplane.dvr.DvrService dvr,
            DemandService demand, PullService pulls, ReportBuffer buffer,
            io.tributary.controlplane.configbackend.ConfigBackendService backend,
            io.agroal.api.AgroalDataSource db,
            jakarta.transaction.TransactionSynchronizationRegistry transactions,
            io.micrometer.core.instrument.MeterRegistry meters) {
        this.meters = meters;
        this.db = db;
        this.transactions = transactions;
        this.buffer = buffer;
        this.backend = backend;
        this.dvr = dvr;
        this.demand = demand;
        this.pulls = pulls;
        this.scheduler = scheduler;
        this.em = em;
        this.json = json;
        this.events = events;
        this.config = config;
        this.clock = clock;
    }

    /** Advisory-lock class (two-key form) of the per-host report lock; the leader lock uses the one-key form. */
    static final int REPORT_LOCK_CLASS = 7301;

    /**
     * How long a host's memory answers its reports before a full report checks it against the
     * database: between this and twice this, drawn per full report, so that hosts remembered in
     * the same second (every agent after a control-plane start or a wave of moves) do not all
     * expire in the same second again. Without the spread, 1,000 full reports arrived within a
     * second every 30 s, the reports behind them waited seconds, and servers were marked down.
     */
    static final long MEMORY_MS = 30_000;

    /**
     * A host as the last full report of it on this replica left it: the version of the host it
     * read ({@link #VERSION}), its streams' generations and states, and the answer's ETag and
     * stop list, which stand as long as that version does.
     */
    private record HostMemory(String version, long atMs, long expiresAtMs, Map<String, Previous> streams, String configError,
            String apiUrl, String publicUrl, String privateUrl, String etag, List<String> stop) {
    }

    /**
     * The steady report, answered without a transaction: when the host reports the same streams
     * in the same states and generations as its last full report on this replica, the same
     * URLs and config error, nothing else pending (pulls, hand-offs, DVR changes), and the host's
     * version has not moved since, nothing needs deciding: its numbers are written behind and the
     * answer is the last one. One read instead of a transaction of eight statements, a thousand
     * times a second at 1,000 agents. Returns null when a full report is needed ({@link #report}).
     */
    public AgentReportResponse quickReport(String hostname, AgentReport report) {
        if (report == null || hostname == null) {
            return null;
        }
        HostMemory m = memory.get(hostname);
        long nowMs = clock.millis();
        if (m == null) {
            return miss("unremembered");
        }
        if (nowMs > m.expiresAtMs() || nowMs < m.atMs()) {
            return miss("memory_expired");
        }
        if (report.pulls() != null && !report.pulls().isEmpty()) {
            return miss("pulls");
        }
        if (!java.util.Objects.equals(m.apiUrl(), report.apiUrl())
                || !java.util.Objects.equals(m.publicUrl(), report.publicPayloadUrl())
                || !java.util.Objects.equals(m.privateUrl(), report.privatePayloadUrl())) {
            return miss("urls");
        }
        if (!dvr.quiet(hostname, report.dvr())) {
            return miss("dvr");
        }
        String configError = report.configExternalError() == null ? null : write(report.configExternalError());
        if (!java.util.Objects.equals(m.configError(), configError)) {
            return miss("config_error");
        }
        List<StreamReport> streams = report.streams() == null ? List.of() : report.streams();
        if (streams.size() != m.streams().size()) {
            return miss("streams");
        }
        for (StreamReport r : streams) {
            Previous p = r.name() == null ? null : m.streams().get(r.name());
            if (p == null || !java.util.Objects.equals(p.generation(), r.generation()) || !status(r).equals(p.status())) {
                return miss("streams");
            }
        }
        if (new HashSet<>(streams.stream().map(StreamReport::name).toList()).size() != streams.size()) {
            return miss("streams");
        }
        String version = readVersion(hostname);
        if (version == null || !version.equals(m.version())) {
            return miss("version");
        }
        Instant now = Instant.ofEpochMilli(nowMs);
        buffer.server(hostname, new ReportBuffer.ServerHot(now, report.startedAt(), report.version(), write(report.stats()),
                configError));
        for (StreamReport r : streams) {
            Previous p = m.streams().get(r.name());
            buffer.stream(r.name(), hostname, new ReportBuffer.StreamHot(write(r), now, p.generation(), p.status(), true));
        }
        buffer.demand(DemandService.demanded(streams, List.of()), now);
        return new AgentReportResponse(config.reportIntervalMs(), config.leaseMs(), m.etag(), m.stop(), peers(hostname),
                null, null);
    }

    private final Map<String, io.micrometer.core.instrument.Counter> misses = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Counts why a report could not be answered from memory, at /q/metrics as
     * {@code tributary_agent_reports_full_total{reason}}: unremembered (first report, after a
     * hand-off), memory_expired, pulls, urls, dvr, config_error, streams (a stream's state,
     * generation or presence changed) or version (the host's assignments, state or the stream
     * configs changed).
     */
    private AgentReportResponse miss(String reason) {
        misses.computeIfAbsent(reason, r -> io.micrometer.core.instrument.Counter.builder("tributary.agent.reports.full")
                .tag("reason", r).description("agent reports that needed a full transaction, by why").register(meters))
                .increment();
        return null;
    }

    /**
     * What a steady report's answer depends on, for one host, as one string: the content epoch
     * (stream configs, DVR deletions), the server's state, and a digest of the assignments it
     * owns or hands off. A change elsewhere in the cluster (another server down, streams moved
     * between others) leaves it alone; the cluster-wide epoch sent every agent down the full path
     * after every move, and at 1,000 agents the full paths kept the control plane saturated.
     */
    static final String VERSION = "WITH h AS (SELECT CAST(? AS text) AS name) "
            + "SELECT e.content_epoch || '|' || coalesce((SELECT s.status || CAST(s.draining AS text) FROM servers s, h "
            + "WHERE s.hostname = h.name), '-') || '|' || (SELECT md5(coalesce(string_agg(x, ',' ORDER BY x), '')) FROM ("
            + "SELECT a.stream_name || ':' || a.generation || ':' || coalesce(a.handoff_from, '') || ':' "
            + "|| coalesce(CAST(a.handoff_generation AS text), '') || ':' || a.media_sequence || ':' || a.discontinuity_sequence AS x "
            + "FROM assignments a, h WHERE a.hostname = h.name UNION ALL "
            + "SELECT a.stream_name || '<' || a.hostname || ':' || a.generation || ':' || coalesce(CAST(a.handoff_generation AS text), '') "
            + "FROM assignments a, h WHERE a.handoff_from = h.name) t) FROM config_epoch e WHERE e.id = 1";

    /** {@link #VERSION} as committed now, or null when the database cannot say. */
    private String readVersion(String hostname) {
        try (java.sql.Connection c = db.getConnection(); java.sql.PreparedStatement st = c.prepareStatement(VERSION)) {
            st.setString(1, hostname);
            try (java.sql.ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (java.sql.SQLException e) {
            return null; // the full report fails with the database's own error
        }
    }

    @Transactional
    public AgentReportResponse report(String hostname, AgentReport report) {
        if (!StreamValidation.isValidHostname(hostname)) {
            throw ApiException.invalid("hostname", "hostname '" + hostname + "' is not a valid hostname");
        }
        if (report == null) {
            throw ApiException.invalid(null, "the body must be an agent report");
        }
        // One report of a host at a time: an agent's periodic report and one it sends at once (a
        // first segment, a poke) could otherwise both insert the same new rows and one fail.
        em.createNativeQuery("SELECT pg_advisory_xact_lock(" + REPORT_LOCK_CLASS + ", hashtext(:h))")
                .setParameter("h", hostname).getSingleResult();
        // Read before anything the answer is made of: a change committed meanwhile moves it again.
        String version = (String) em.createNativeQuery(VERSION.replace("?", "?1")).setParameter(1, hostname)
                .setFlushMode(FlushModeType.COMMIT).getSingleResult();
        Instant now = Instant.now(clock);
        ServerEntity server = register(hostname, report, now);
        String stats = write(report.stats());
        String configError = report.configExternalError() == null ? null : write(report.configExternalError());
        boolean fullRow = !java.util.Objects.equals(rowWritten.get(hostname), configError == null ? "" : configError);
        if (!ServerConfig.STATUS_UP.equals(server.status)) {
            server.status = ServerConfig.STATUS_UP;
            server.statusChangedAt = now;
            events.record("server_up", null, hostname, null, "agent reports again", null);
            peerList = null;
            // No config epoch bump: a server's state is on no host's page, and the pass that
            // places streams here changes the pages it touches (their ETags are digests).
            scheduler.wakeAfterCommit();
            // The scheduler must not see the old last_seen_at of a server now up and mark it down again.
            fullRow = true;
        }
        if (fullRow) {
            ServerReportEntity sr = ServerReportEntity.findById(hostname);
            if (sr == null) {
                sr = new ServerReportEntity();
                sr.hostname = hostname;
                sr.lastSeenAt = now;
                sr.persist();
            }
            sr.lastSeenAt = now;
            sr.agentStartedAt = report.startedAt();
            sr.agentVersion = report.version();
            sr.stats = stats;
            sr.configExternalError = configError;
            buffer.serverWritten(hostname);
            rowWritten.put(hostname, configError == null ? "" : configError);
        } else {
            buffer.server(hostname, new ReportBuffer.ServerHot(now, report.startedAt(), report.version(), stats, configError));
        }

        List<StreamReport> streams = report.streams() == null ? List.of() : report.streams();
        // Plain rows, not entities: a host with a thousand streams loaded a thousand managed
        // stream reports and assignments per report, each dirty-checked at commit.
        Map<String, Previous> previous = new HashMap<>();
        @SuppressWarnings("unchecked")
        List<Object[]> prevRows = em.createNativeQuery("SELECT stream_name, generation, status FROM stream_reports "
                        + "WHERE hostname = :h").setParameter("h", hostname).setFlushMode(FlushModeType.COMMIT).getResultList();
        for (Object[] row : prevRows) {
            previous.put((String) row[0], new Previous(row[1] == null ? null : ((Number) row[1]).longValue(), (String) row[2]));
        }
        Map<String, Owner> assignments = new HashMap<>();
        List<String> names = streams.stream().map(StreamReport::name).filter(n -> n != null).toList();
        if (!names.isEmpty()) {
            @SuppressWarnings("unchecked")
            List<Object[]> rows = em.createNativeQuery("SELECT stream_name, hostname, generation, handoff_from, "
                            + "handoff_generation, assigned_at FROM assignments WHERE stream_name = ANY(CAST(:n AS text[]))")
                    .setParameter("n", names.toArray(new String[0])).setFlushMode(FlushModeType.COMMIT).getResultList();
            for (Object[] a : rows) {
                assignments.put((String) a[0], new Owner((String) a[1], ((Number) a[2]).longValue(), (String) a[3],
                        a[4] == null ? null : ((Number) a[4]).longValue(),
                        a[5] == null ? null : io.tributary.controlplane.assignment.AssignmentService.toInstant(a[5])));
            }
        }
        List<EventService.Pending> happened = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        List<String> stop = new ArrayList<>();
        List<StreamReport> write = new ArrayList<>();
        Set<String> handedOver = new HashSet<>();
        for (StreamReport r : streams) {
            if (r.name() == null || !seen.add(r.name())) {
                continue;
            }
            Owner a = assignments.get(r.name());
            boolean current = a != null && hostname.equals(a.hostname()) && r.generation() != null
                    && r.generation() == a.generation();
            boolean handingOff = a != null && hostname.equals(a.handoffFrom()) && r.generation() != null
                    && r.generation().equals(a.handoffGeneration());
            if (r.generation() != null && !current && !handingOff) {
                stop.add(r.name());
            }
            Previous e = previous.remove(r.name());
            boolean wasRunning = e != null && "running".equals(e.status()) && e.generation() != null
                    && e.generation().equals(r.generation());
            if (e != null && java.util.Objects.equals(e.generation(), r.generation()) && status(r).equals(e.status())) {
                // Same capture, same state: only its numbers moved on; written behind.
                buffer.stream(r.name(), hostname, new ReportBuffer.StreamHot(write(r), now, e.generation(), e.status(), false));
            } else {
                write.add(r);
                buffer.streamWritten(r.name(), hostname);
            }
            if (current && "running".equals(r.status()) && !wasRunning) {
                long sinceAssigned = a.assignedAt() == null ? 0 : Duration.between(a.assignedAt(), now).toMillis();
                happened.add(new EventService.Pending("capture_started", r.name(), hostname, r.generation(),
                        "capture running " + sinceAssigned + " ms after assignment", sinceAssigned));
            }
            if (current && a.handoffFrom() != null && Boolean.TRUE.equals(r.hasSegment())) {
                AssignmentEntity entity = em.find(AssignmentEntity.class, r.name());
                if (entity != null && entity.generation == a.generation() && entity.handoffFrom != null
                        && HandoffCutover.oldOwnerDone(em, entity, now)) {
                    happened.add(new EventService.Pending("handoff_complete", r.name(), hostname, entity.generation,
                            "new owner has a segment; " + entity.handoffFrom + " stops", null));
                    handedOver.add(entity.handoffFrom);
                    entity.handoffFrom = null;
                    entity.handoffGeneration = null;
                }
            }
        }
        List<String> gone = new ArrayList<>();
        for (Map.Entry<String, Previous> g : previous.entrySet()) {
            if ("running".equals(g.getValue().status())) {
                happened.add(new EventService.Pending("capture_stopped", g.getKey(), hostname, g.getValue().generation(),
                        "no longer reported", null));
            }
            gone.add(g.getKey());
            buffer.streamWritten(g.getKey(), hostname);
        }
        writeRows(hostname, write, gone, now);
        events.recordAll(happened);
        if (!handedOver.isEmpty()) {
            em.flush(); // both hosts' pages changed (their versions with them)
        }
        List<String> dvrDelete = dvr.onReport(hostname, report.dvr());
        String etag = backend.hostEtag(hostname, version);
        remember(hostname, report, streams, assignments, handedOver.isEmpty(), version, now, configError, etag, stop);
        // Edge pulls are not captures: stored apart, never fenced, never counted as running.
        List<StreamReport> pulled = report.pulls() == null ? List.of() : report.pulls();
        pulls.record(hostname, pulled, now);
        demand.keepAlive(streams, pulled, now);
        return new AgentReportResponse(config.reportIntervalMs(), config.leaseMs(), etag, stop,
                peers(hostname), dvrDelete, pulled.isEmpty() ? null : pulls.placements(pulled));
    }

    /**
     * Keeps what this full report wrote for {@link #quickReport}, once it has committed; a host
     * in a hand-off (either side) is not remembered, its next reports decide the cut-over.
     */
    private void remember(String hostname, AgentReport report, List<StreamReport> streams, Map<String, Owner> owners,
            boolean noHandoffDone, String version, Instant now, String configError, String etag, List<String> stop) {
        memory.remove(hostname);
        if (!noHandoffDone || report.pulls() != null && !report.pulls().isEmpty()) {
            return; // pulls are written by every report; a hand-off is decided report by report
        }
        Map<String, Previous> rows = new HashMap<>();
        for (StreamReport r : streams) {
            Owner a = r.name() == null ? null : owners.get(r.name());
            if (r.name() == null || a != null && a.handoffFrom() != null
                    || rows.put(r.name(), new Previous(r.generation(), status(r))) != null) {
                return;
            }
        }
        long at = now.toEpochMilli();
        HostMemory m = new HostMemory(version, at, at + MEMORY_MS + java.util.concurrent.ThreadLocalRandom.current().nextLong(MEMORY_MS),
                Map.copyOf(rows), configError, report.apiUrl(),
                report.publicPayloadUrl(), report.privatePayloadUrl(), etag, List.copyOf(stop));
        io.tributary.controlplane.common.AfterCommit.run(transactions, () -> memory.put(hostname, m));
    }

    /** A stream as this host last reported it (its row in stream_reports). */
    private record Previous(Long generation, String status) {
    }

    /** A stream's assignment as a report needs it. */
    private record Owner(String hostname, long generation, String handoffFrom, Long handoffGeneration, Instant assignedAt) {
    }

    /**
     * Writes the stream reports a report changed (new rows, a new status or generation) in one
     * statement, and removes the ones it no longer carries in another.
     */
    private void writeRows(String hostname, List<StreamReport> changed, List<String> gone, Instant now) {
        if (changed.isEmpty() && gone.isEmpty()) {
            return;
        }
        em.flush(); // a new server's row first: stream_reports refer to it
        int n = changed.size();
        String[] name = new String[n];
        Long[] generation = new Long[n];
        String[] status = new String[n];
        String[] body = new String[n];
        for (int i = 0; i < n; i++) {
            StreamReport r = changed.get(i);
            name[i] = r.name();
            generation[i] = r.generation();
            status[i] = status(r);
            body[i] = write(r);
        }
        em.unwrap(org.hibernate.Session.class).doWork(c -> {
            if (n > 0) {
                try (java.sql.PreparedStatement st = c.prepareStatement("INSERT INTO stream_reports (stream_name, hostname, "
                        + "generation, status, report, reported_at) SELECT v.n, ?, v.g, v.s, CAST(v.r AS jsonb), ? "
                        + "FROM unnest(?::text[], ?::bigint[], ?::text[], ?::text[]) AS v(n, g, s, r) "
                        + "ON CONFLICT (stream_name, hostname) DO UPDATE SET generation = EXCLUDED.generation, "
                        + "status = EXCLUDED.status, report = EXCLUDED.report, reported_at = EXCLUDED.reported_at")) {
                    st.setString(1, hostname);
                    st.setTimestamp(2, java.sql.Timestamp.from(now));
                    st.setArray(3, c.createArrayOf("text", name));
                    st.setArray(4, c.createArrayOf("int8", generation));
                    st.setArray(5, c.createArrayOf("text", status));
                    st.setArray(6, c.createArrayOf("text", body));
                    st.executeUpdate();
                }
            }
            if (!gone.isEmpty()) {
                try (java.sql.PreparedStatement st = c.prepareStatement(
                        "DELETE FROM stream_reports WHERE hostname = ? AND stream_name = ANY(?::text[])")) {
                    st.setString(1, hostname);
                    st.setArray(2, c.createArrayOf("text", gone.toArray()));
                    st.executeUpdate();
                }
            }
        });
    }

    /** At most this many peers in a report answer: enough to ask, without 1,000 rows per report. */
    static final int MAX_PEERS = 16;
    /** How long the server list behind {@link #peers} is reused (it was read once per report). */
    static final long PEER_LIST_MS = 1000;

    record PeerRow(String hostname, String url, String status) {
    }

    /**
     * The server list as read at {@code atMs}, and each host's peers computed from it once
     * (1,000 reports a second each computed theirs from the list, a profile's biggest share of
     * the steady report).
     */
    private record PeerList(List<PeerRow> rows, long atMs, Map<String, List<AgentReportResponse.Peer>> peers) {
    }

    /** Null when the list must be read again (a server registered or came back). */
    private volatile PeerList peerList;

    /**
     * Whom a cut-off agent asks whether they reach the control plane: the servers that follow it
     * in hostname order (wrapping), those up first, at most {@link #MAX_PEERS}. Each server is so
     * asked by about as many others, and the answer does not grow with the cluster.
     */
    private List<AgentReportResponse.Peer> peers(String self) {
        PeerList list = peerList;
        long nowMs = clock.millis();
        if (list == null || nowMs - list.atMs() > PEER_LIST_MS || nowMs < list.atMs()) {
            List<PeerRow> fresh = new ArrayList<>();
            // Plain JDBC: the steady report path runs outside a transaction.
            try (java.sql.Connection c = db.getConnection(); java.sql.Statement st = c.createStatement();
                    java.sql.ResultSet rs = st.executeQuery("SELECT hostname, private_payload_url, public_payload_url, status "
                            + "FROM servers ORDER BY hostname COLLATE \"C\"")) {
                while (rs.next()) {
                    String url = rs.getString(2) != null ? rs.getString(2) : rs.getString(3);
                    if (url != null) {
                        fresh.add(new PeerRow(rs.getString(1), url, rs.getString(4)));
                    }
                }
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException("cannot read the server list: " + e.getMessage(), e);
            }
            list = new PeerList(List.copyOf(fresh), nowMs, new java.util.concurrent.ConcurrentHashMap<>());
            peerList = list;
        }
        List<PeerRow> rows = list.rows();
        return list.peers().computeIfAbsent(self, h -> List.copyOf(ringPeers(rows, h)));
    }

    /** The peers of {@code self} from rows sorted by hostname (pure; see {@link #peers}). */
    static List<AgentReportResponse.Peer> ringPeers(List<PeerRow> rows, String self) {
        // The first row after self (rows are in hostname order): binary search.
        int lo = 0;
        int hi = rows.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (rows.get(mid).hostname().compareTo(self) <= 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        int start = lo;
        List<AgentReportResponse.Peer> up = new ArrayList<>();
        List<AgentReportResponse.Peer> others = new ArrayList<>();
        for (int i = 0; i < rows.size() && up.size() < MAX_PEERS; i++) {
            PeerRow r = rows.get((start + i) % rows.size());
            if (r.hostname().equals(self)) {
                continue;
            }
            AgentReportResponse.Peer p = new AgentReportResponse.Peer(r.hostname(), r.url(), r.status());
            (ServerConfig.STATUS_UP.equals(r.status()) ? up : others).add(p);
        }
        for (AgentReportResponse.Peer p : others) {
            if (up.size() >= MAX_PEERS) {
                break;
            }
            up.add(p);
        }
        return up;
    }

    private ServerEntity register(String hostname, AgentReport report, Instant now) {
        ServerEntity s = ServerEntity.findById(hostname);
        if (s == null) {
            rowWritten.remove(hostname); // a new server has no server_reports row yet
            s = new ServerEntity();
            s.hostname = hostname;
            s.roles = report.roles() == null ? "ingest,edge" : ServerService.roles(report.roles());
            s.groupName = report.group() == null ? "default" : report.group();
            s.channelLimit = report.channelLimit();
            s.maxBitrate = report.maxBitrate();
            s.status = ServerConfig.STATUS_DOWN;
            s.statusChangedAt = now;
            s.createdAt = now;
            s.apiUrl = report.apiUrl();
            s.publicPayloadUrl = report.publicPayloadUrl();
            s.privatePayloadUrl = report.privatePayloadUrl();
            s.persist();
            peerList = null; // a new peer for the others
            events.record("server_registered", null, hostname, null, "agent registered", null);
            return s;
        }
        // URLs are facts the agent knows about itself; roles, group and limits stay the operator's.
        if (report.apiUrl() != null) {
            s.apiUrl = report.apiUrl();
        }
        if (report.publicPayloadUrl() != null) {
            s.publicPayloadUrl = report.publicPayloadUrl();
        }
        if (report.privatePayloadUrl() != null) {
            s.privatePayloadUrl = report.privatePayloadUrl();
        }
        return s;
    }

    private static String status(StreamReport r) {
        return r.status() == null ? "error" : r.status();
    }

    private String write(Object o) {
        return JsonText.write(json, o);
    }
}
