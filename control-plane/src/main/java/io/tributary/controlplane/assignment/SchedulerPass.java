package io.tributary.controlplane.assignment;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.api.stream.StreamConfig;
import io.tributary.controlplane.common.TributaryConfig;
import io.tributary.controlplane.configbackend.ConfigEpoch;
import io.tributary.controlplane.edge.DemandService;
import io.tributary.controlplane.edge.OnDemand;
import io.tributary.controlplane.event.EventService;
import io.tributary.controlplane.server.ServerEntity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.FlushModeType;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * One scheduling pass of the leader: marks silent servers down (after a grace period following
 * its own start), then computes a placement plan and applies it, all in one transaction.
 */
@ApplicationScoped
public class SchedulerPass {
    private static final Logger LOG = Logger.getLogger(SchedulerPass.class);

    private final LeaderElection leader;
    private final AssignmentService assignments;
    private final EventService events;
    private final ConfigEpoch epoch;
    private final EntityManager em;
    private final ObjectMapper json;
    private final TributaryConfig config;
    private final Clock clock;
    private final DeathProbe probe;
    private final AgentPoke poke;
    private final DemandService demand;
    private final io.tributary.controlplane.agent.ReportArrivals arrivals;

    public SchedulerPass(LeaderElection leader, AssignmentService assignments, EventService events, ConfigEpoch epoch,
            EntityManager em, ObjectMapper json, TributaryConfig config, Clock clock, DeathProbe probe, AgentPoke poke,
            DemandService demand, io.tributary.controlplane.agent.ReportArrivals arrivals) {
        this.arrivals = arrivals;
        this.probe = probe;
        this.poke = poke;
        this.demand = demand;
        this.leader = leader;
        this.assignments = assignments;
        this.events = events;
        this.epoch = epoch;
        this.em = em;
        this.json = json;
        this.config = config;
        this.clock = clock;
    }

    /** One pass: failure detection, then placement. */
    @Transactional
    public void runOnce() {
        Instant now = Instant.now(clock);
        em.createNativeQuery("SELECT pg_advisory_xact_lock(4242)").getSingleResult();
        epoch.lockForChange();
        detectFailures(now);
        List<Placement.Decision> plan = Placement.plan(streams(now), servers(), current(), now,
                Duration.ofMillis(config.failoverTimeoutMs() * 10));
        if (!plan.isEmpty()) {
            assignments.apply(plan);
            poke.afterCommit(plan);
        }
    }

    private void detectFailures(Instant now) {
        Instant since = leader.leaderSince();
        if (since == null || since.plusMillis(config.graceMs()).isAfter(now)) {
            return;
        }
        Instant deadline = now.minusMillis(config.failoverTimeoutMs());
        long suspectMs = probe.suspectAfterMs();
        Instant suspect = suspectMs > 0 ? now.minusMillis(Math.min(suspectMs, config.failoverTimeoutMs())) : deadline;
        // NO KEY UPDATE: it changes no key, and FOR UPDATE also blocked every report of these
        // servers that inserts a stream_reports row (its foreign key check) until the pass ended.
        @SuppressWarnings("unchecked")
        List<Object[]> silent = em.createNativeQuery(
                "SELECT s.hostname, r.last_seen_at FROM servers s LEFT JOIN server_reports r ON r.hostname = s.hostname "
                        + "WHERE s.status = 'up' AND (r.last_seen_at IS NULL OR r.last_seen_at < :deadline) FOR NO KEY UPDATE OF s")
                .setParameter("deadline", suspect).getResultList();
        boolean changed = false;
        for (Object[] row : silent) {
            String host = (String) row[0];
            Instant lastSeen = row[1] == null ? null : AssignmentService.toInstant(row[1]);
            if (arrivals.aliveSince(host, suspect.toEpochMilli()) && lastSeen != null
                    && lastSeen.isAfter(now.minusMillis(config.leaseMs()))) {
                // Its report is here, waiting for a thread or being answered: alive (ReportArrivals). Not past
                // a lease since the last one answered: reports that arrive and fail every time
                // (a broken agent) are no sign of a capture anyone can watch.
                continue;
            }
            ServerEntity s = ServerEntity.findById(host);
            long silentMs = lastSeen == null ? -1 : Duration.between(lastSeen, now).toMillis();
            String why = "no report for " + silentMs + " ms";
            if (lastSeen != null && !lastSeen.isBefore(deadline)) {
                // Missed a report but within failover_timeout: down now only if proven dead.
                String refused = probe.provenDead(host, s.apiUrl != null ? s.apiUrl
                        : s.privatePayloadUrl != null ? s.privatePayloadUrl : s.publicPayloadUrl, lastSeen);
                if (refused == null) {
                    continue;
                }
                why += "; " + refused;
            }
            probe.forget(host);
            s.status = "down";
            s.statusChangedAt = now;
            events.record("server_down", null, host, null, why, silentMs);
            changed = true;
        }
        if (changed) {
            epoch.bump();
        }
    }

    /** A stream as placement needs it, parsed once per content epoch. */
    private record StreamRow(String name, boolean disabled, boolean isStatic, String captureAt, String group, double cost,
            int clientsTimeout) {
    }

    /** The streams as of {@link #rowsEpoch} (the content epoch moves with every stream change). */
    private volatile List<StreamRow> rows = List.of();
    private volatile long rowsEpoch = -1;

    private List<Placement.StreamSpec> streams(Instant now) {
        List<Placement.StreamSpec> out = new ArrayList<>();
        Map<String, Instant> demanded = demand.all();
        for (StreamRow e : streamRows()) {
            // On-demand streams run while someone wants them (a lookup, viewers, edge pulls).
            boolean wanted = !e.disabled() && (e.isStatic() || OnDemand.wanted(demanded.get(e.name()), e.clientsTimeout(), now));
            out.add(new Placement.StreamSpec(e.name(), wanted, e.captureAt(), e.group(), e.cost()));
        }
        return out;
    }

    /**
     * The streams' rows, read and parsed again only when the content epoch moved: at 10,000
     * streams, reading and parsing every config twice a second was most of a pass.
     */
    private List<StreamRow> streamRows() {
        long content = ((Number) em.createNativeQuery("SELECT content_epoch FROM config_epoch WHERE id = 1")
                .setFlushMode(FlushModeType.COMMIT).getSingleResult()).longValue();
        if (content == rowsEpoch) {
            return rows;
        }
        List<StreamRow> out = new ArrayList<>();
        // Plain rows, not entities: the pass never writes streams, and thousands of managed
        // entities made every flush of the pass (and of each of its queries) dirty-check them all.
        for (Object[] row : em.createQuery("select e.name, e.config, e.disabled, e.isStatic from StreamEntity e", Object[].class)
                .setFlushMode(FlushModeType.COMMIT).getResultList()) {
            String name = (String) row[0];
            StreamConfig c;
            try {
                c = json.readValue((String) row[1], StreamConfig.class);
            } catch (Exception ex) {
                LOG.errorf("stream=%s has an unreadable stored config: %s", name, ex.getMessage());
                continue;
            }
            out.add(new StreamRow(name, (Boolean) row[2], (Boolean) row[3],
                    c.clusterIngest() == null ? null : c.clusterIngest().captureAt(),
                    c.labels() == null ? null : c.labels().get("group"), Placement.cost(c), c.clientsTimeoutOrDefault()));
        }
        rows = List.copyOf(out);
        rowsEpoch = content;
        return rows;
    }

    private List<Placement.ServerView> servers() {
        List<Placement.ServerView> out = new ArrayList<>();
        for (ServerEntity s : ServerEntity.<ServerEntity>listAll()) {
            boolean up = "up".equals(s.status);
            boolean ingest = Arrays.asList(s.roles.split(",")).contains("ingest");
            out.add(new Placement.ServerView(s.hostname, up, s.draining, ingest, s.groupName, s.channelLimit,
                    up ? s.statusChangedAt : null));
        }
        return out;
    }

    private List<Placement.Current> current() {
        List<Placement.Current> out = new ArrayList<>();
        // Plain rows too: apply() loads the few assignments a plan changes.
        for (Object[] a : em.createQuery("select a.streamName, a.hostname, a.handoffFrom, a.reason from AssignmentEntity a",
                Object[].class).setFlushMode(FlushModeType.COMMIT).getResultList()) {
            out.add(new Placement.Current((String) a[0], (String) a[1], (String) a[2], (String) a[3]));
        }
        return out;
    }
}
