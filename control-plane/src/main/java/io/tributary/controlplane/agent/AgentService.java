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
    private final io.tributary.controlplane.configbackend.ConfigBackendService backend;
    /**
     * Hosts whose server_reports row this replica wrote in full since it started, with the
     * config_external_error it wrote ("" for none): a change of that error is written at once.
     */
    private final Map<String, String> rowWritten = new java.util.concurrent.ConcurrentHashMap<>();

    public AgentService(EntityManager em, ObjectMapper json, EventService events,
            TributaryConfig config, Scheduler scheduler, Clock clock, io.tributary.controlplane.dvr.DvrService dvr,
            DemandService demand, PullService pulls, ReportBuffer buffer,
            io.tributary.controlplane.configbackend.ConfigBackendService backend) {
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
        Instant now = Instant.now(clock);
        ServerEntity server = register(hostname, report, now);
        String stats = write(report.stats());
        String configError = report.configExternalError() == null ? null : write(report.configExternalError());
        boolean fullRow = !java.util.Objects.equals(rowWritten.get(hostname), configError == null ? "" : configError);
        if (!ServerConfig.STATUS_UP.equals(server.status)) {
            server.status = ServerConfig.STATUS_UP;
            server.statusChangedAt = now;
            events.record("server_up", null, hostname, null, "agent reports again", null);
            peerRows = null;
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
        Map<String, StreamReportEntity> previous = new HashMap<>();
        for (StreamReportEntity e : StreamReportEntity.<StreamReportEntity>list("id.hostname", hostname)) {
            previous.put(e.id.streamName, e);
        }
        Map<String, AssignmentEntity> assignments = new HashMap<>();
        List<String> names = streams.stream().map(StreamReport::name).filter(n -> n != null).toList();
        if (!names.isEmpty()) {
            for (AssignmentEntity a : em.createQuery("from AssignmentEntity a where a.streamName in :n", AssignmentEntity.class)
                    .setParameter("n", names).getResultList()) {
                assignments.put(a.streamName, a);
            }
        }
        Set<String> seen = new HashSet<>();
        List<String> stop = new ArrayList<>();
        for (StreamReport r : streams) {
            if (r.name() == null || !seen.add(r.name())) {
                continue;
            }
            AssignmentEntity a = assignments.get(r.name());
            boolean current = a != null && hostname.equals(a.hostname) && r.generation() != null && r.generation() == a.generation;
            boolean handingOff = a != null && hostname.equals(a.handoffFrom) && r.generation() != null
                    && r.generation().equals(a.handoffGeneration);
            if (r.generation() != null && !current && !handingOff) {
                stop.add(r.name());
            }
            StreamReportEntity e = previous.remove(r.name());
            boolean wasRunning = e != null && "running".equals(e.status) && e.generation != null && e.generation.equals(r.generation());
            if (e == null) {
                e = new StreamReportEntity();
                e.id = new StreamReportEntity.Key(r.name(), hostname);
                fill(e, r, now);
                e.persist();
                buffer.streamWritten(r.name(), hostname);
            } else if (java.util.Objects.equals(e.generation, r.generation()) && e.status.equals(status(r))) {
                // Same capture, same state: only its numbers moved on; written behind.
                buffer.stream(r.name(), hostname, new ReportBuffer.StreamHot(write(r), now, e.generation, e.status));
            } else {
                fill(e, r, now);
                buffer.streamWritten(r.name(), hostname);
            }
            if (current && "running".equals(r.status()) && !wasRunning) {
                long sinceAssigned = Duration.between(a.assignedAt, now).toMillis();
                events.record("capture_started", r.name(), hostname, r.generation(),
                        "capture running " + sinceAssigned + " ms after assignment", sinceAssigned);
            }
            if (current && a.handoffFrom != null && Boolean.TRUE.equals(r.hasSegment())
                    && HandoffCutover.oldOwnerDone(em, a, now)) {
                events.record("handoff_complete", r.name(), hostname, a.generation,
                        "new owner has a segment; " + a.handoffFrom + " stops", null);
                a.handoffFrom = null;
                a.handoffGeneration = null;
            }
        }
        for (StreamReportEntity gone : previous.values()) {
            if ("running".equals(gone.status)) {
                events.record("capture_stopped", gone.id.streamName, hostname, gone.generation, "no longer reported", null);
            }
            gone.delete();
            buffer.streamWritten(gone.id.streamName, hostname);
        }
        List<String> dvrDelete = dvr.onReport(hostname, report.dvr());
        // Edge pulls are not captures: stored apart, never fenced, never counted as running.
        List<StreamReport> pulled = report.pulls() == null ? List.of() : report.pulls();
        pulls.record(hostname, pulled, now);
        demand.keepAlive(streams, pulled, now);
        return new AgentReportResponse(config.reportIntervalMs(), config.leaseMs(), backend.etag(hostname, null), stop,
                peers(hostname), dvrDelete, pulled.isEmpty() ? null : pulls.placements(pulled));
    }

    /** At most this many peers in a report answer: enough to ask, without 1,000 rows per report. */
    static final int MAX_PEERS = 16;
    /** How long the server list behind {@link #peers} is reused (it was read once per report). */
    static final long PEER_LIST_MS = 1000;

    record PeerRow(String hostname, String url, String status) {
    }

    private volatile List<PeerRow> peerRows;
    private volatile long peerRowsAt;

    /**
     * Whom a cut-off agent asks whether they reach the control plane: the servers that follow it
     * in hostname order (wrapping), those up first, at most {@link #MAX_PEERS}. Each server is so
     * asked by about as many others, and the answer does not grow with the cluster.
     */
    private List<AgentReportResponse.Peer> peers(String self) {
        List<PeerRow> rows = peerRows;
        long nowMs = clock.millis();
        if (rows == null || nowMs - peerRowsAt > PEER_LIST_MS || nowMs < peerRowsAt) {
            List<PeerRow> fresh = new ArrayList<>();
            for (Object[] r : em.createQuery("select s.hostname, s.privatePayloadUrl, s.publicPayloadUrl, s.status"
                    + " from ServerEntity s order by s.hostname", Object[].class).getResultList()) {
                String url = r[1] != null ? (String) r[1] : (String) r[2];
                if (url != null) {
                    fresh.add(new PeerRow((String) r[0], url, (String) r[3]));
                }
            }
            rows = List.copyOf(fresh);
            peerRows = rows;
            peerRowsAt = nowMs;
        }
        return ringPeers(rows, self);
    }

    /** The peers of {@code self} from rows sorted by hostname (pure; see {@link #peers}). */
    static List<AgentReportResponse.Peer> ringPeers(List<PeerRow> rows, String self) {
        int start = 0;
        while (start < rows.size() && rows.get(start).hostname().compareTo(self) <= 0) {
            start++;
        }
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
            peerRows = null; // a new peer for the others
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

    private void fill(StreamReportEntity e, StreamReport r, Instant now) {
        e.generation = r.generation();
        e.status = status(r);
        e.report = write(r);
        e.reportedAt = now;
    }

    private static String status(StreamReport r) {
        return r.status() == null ? "error" : r.status();
    }

    private String write(Object o) {
        return JsonText.write(json, o);
    }
}
