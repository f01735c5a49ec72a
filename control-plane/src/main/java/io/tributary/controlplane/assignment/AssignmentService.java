package io.tributary.controlplane.assignment;

import io.tributary.controlplane.configbackend.ConfigEpoch;
import io.tributary.controlplane.event.EventService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.FlushModeType;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Applies placement decisions to the assignments table. Every change of owner takes a new
 * generation from a cluster-wide sequence, and carries the HLS media and discontinuity sequences
 * the new capture continues from.
 */
@ApplicationScoped
public class AssignmentService {
    private static final Logger LOG = Logger.getLogger(AssignmentService.class);

    private final EntityManager em;
    private final EventService events;
    private final ConfigEpoch epoch;
    private final Clock clock;

    public AssignmentService(EntityManager em, EventService events, ConfigEpoch epoch, Clock clock) {
        this.em = em;
        this.events = events;
        this.epoch = epoch;
        this.clock = clock;
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public void onStreamDeleted(String name) {
        AssignmentEntity a = AssignmentEntity.findById(name);
        if (a != null) {
            if (a.hostname != null) {
                events.record("capture_stopped", name, a.hostname, a.generation, "stream deleted", null);
            }
            a.delete();
        }
        em.createNativeQuery("DELETE FROM stream_reports WHERE stream_name = :n").setParameter("n", name).executeUpdate();
    }

    /** A restart is a new generation on the same server: the agent recreates the capture. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void restart(String name) {
        AssignmentEntity a = AssignmentEntity.findById(name);
        if (a == null || a.hostname == null) {
            return;
        }
        Continuity c = continuity(name, a);
        a.generation = nextGeneration();
        a.mediaSequence = c.mediaSequence;
        a.discontinuitySequence = c.discontinuitySequence;
        a.assignedAt = Instant.now(clock);
        a.handoffFrom = null;
        a.handoffGeneration = null;
        events.record("stream_assigned", name, a.hostname, a.generation, "restarted on " + a.hostname, null);
    }

    /**
     * Applies one plan in the caller's transaction; returns whether anything changed. Its
     * per-stream queries (continuity, generation, last seen) read rows the plan does not write,
     * so they run without Hibernate's auto-flush: a pass holds every stream and assignment as
     * entities, and a flush before each of them dirty-checked thousands of entities per moved
     * stream (most of the control plane's CPU while a dead server's streams were moved).
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean apply(List<Placement.Decision> plan) {
        Instant now = Instant.now(clock);
        boolean changed = false;
        for (Placement.Decision d : plan) {
            AssignmentEntity a = AssignmentEntity.findById(d.stream());
            switch (d.action()) {
                case STOP -> {
                    if (a != null) {
                        events.record("capture_stopped", d.stream(), a.hostname, a.generation, d.reason(), null);
                        a.delete();
                        changed = true;
                    }
                }
                case WAIT -> {
                    if (a == null) {
                        a = new AssignmentEntity();
                        a.streamName = d.stream();
                        a.generation = 0;
                        a.assignedAt = now;
                        a.reason = d.reason();
                        a.persist();
                    } else {
                        if (a.hostname != null) {
                            Continuity c = continuity(d.stream(), a);
                            a.mediaSequence = c.mediaSequence;
                            a.discontinuitySequence = c.discontinuitySequence;
                        }
                        a.hostname = null;
                        a.handoffFrom = null;
                        a.handoffGeneration = null;
                        a.reason = d.reason();
                    }
                    events.record("stream_waiting", d.stream(), d.from(), null, d.reason(), null);
                    changed = true;
                }
                case PLACE, MOVE, HANDOFF -> {
                    boolean fresh = a == null;
                    if (fresh) {
                        a = new AssignmentEntity();
                        a.streamName = d.stream();
                    }
                    Continuity c = continuity(d.stream(), a);
                    long previousGeneration = a.generation;
                    a.generation = nextGeneration();
                    // A hand-off's old owner goes on cutting until it learns its last number (m - 1):
                    // start the new owner a little further on, so the old one's segments up to m - 1
                    // are all still its own and no number is listed by both.
                    a.mediaSequence = c.mediaSequence
                            + (d.action() == Placement.Action.HANDOFF ? handoffHeadroom(c.segmentMs()) : 0);
                    a.discontinuitySequence = c.discontinuitySequence;
                    a.reason = null;
                    if (d.action() == Placement.Action.HANDOFF) {
                        a.handoffFrom = d.from();
                        a.handoffGeneration = previousGeneration;
                    } else {
                        a.handoffFrom = null;
                        a.handoffGeneration = null;
                    }
                    a.hostname = d.to();
                    a.assignedAt = now;
                    if (fresh) {
                        a.persist();
                    }
                    String type = d.action() == Placement.Action.MOVE ? "failover" : "stream_assigned";
                    Long duration = d.action() == Placement.Action.MOVE ? sinceLastSeen(d.from(), now) : null;
                    events.record(type, d.stream(), d.to(), a.generation,
                            d.action() == Placement.Action.PLACE ? "assigned to " + d.to()
                                    : d.reason() + "; " + d.from() + " -> " + d.to(), duration);
                    changed = true;
                }
                default -> throw new IllegalStateException(d.action().toString());
            }
        }
        if (changed) {
            epoch.bump();
        }
        return changed;
    }

    private Long sinceLastSeen(String host, Instant now) {
        if (host == null) {
            return null;
        }
        List<?> r = em.createNativeQuery("SELECT last_seen_at FROM server_reports WHERE hostname = :h")
                .setFlushMode(FlushModeType.COMMIT).setParameter("h", host).getResultList();
        if (r.isEmpty() || r.get(0) == null) {
            return null;
        }
        Instant seen = toInstant(r.get(0));
        return java.time.Duration.between(seen, now).toMillis();
    }

    static Instant toInstant(Object o) {
        if (o instanceof Instant i) {
            return i;
        }
        if (o instanceof java.sql.Timestamp t) {
            return t.toInstant();
        }
        if (o instanceof java.time.OffsetDateTime odt) {
            return odt.toInstant();
        }
        throw new IllegalArgumentException("not a time: " + o);
    }

    private long nextGeneration() {
        return ((Number) em.createNativeQuery("SELECT nextval('assignment_generation_seq')")
                .setFlushMode(FlushModeType.COMMIT).getSingleResult()).longValue();
    }

    /**
     * Segments the old owner of a hand-off may still cut between the new owner's numbering and
     * the moment the old one is told where to stop (a report interval, the poke, its config poll,
     * one segment in progress): at least two, and at least {@link #HANDOFF_HEADROOM_MS} of
     * segments. Two 1 s segments were not enough on a loaded machine (CI's FailoverTest saw the
     * old owner list two numbers the new owner listed too).
     */
    static final long HANDOFF_HEADROOM_SEGMENTS = 2;
    static final long HANDOFF_HEADROOM_MS = 4000;

    static long handoffHeadroom(long segmentMs) {
        return Math.max(HANDOFF_HEADROOM_SEGMENTS, (HANDOFF_HEADROOM_MS + segmentMs - 1) / Math.max(1, segmentMs));
    }

    private record Continuity(long mediaSequence, long discontinuitySequence, long segmentMs) {
    }

    /**
     * Where a new capture of the stream continues: after the newest segment any server reported,
     * plus the segments the old owner may have cut since its last report, so a player never sees
     * a sequence number again.
     */
    private Continuity continuity(String stream, AssignmentEntity a) {
        List<Object[]> rows = em.createNativeQuery(
                "SELECT max(CAST(report->>'media_sequence' AS bigint)), max(CAST(report->>'discontinuity_sequence' AS bigint)), "
                        + "max(reported_at), max(CAST(s.config->>'segment_duration' AS bigint)) "
                        + "FROM stream_reports r JOIN streams s ON s.name = r.stream_name WHERE r.stream_name = :n")
                .setFlushMode(FlushModeType.COMMIT).setParameter("n", stream).getResultList();
        long seq = a.mediaSequence;
        long disc = a.discontinuitySequence;
        long segMs = 2000;
        if (!rows.isEmpty() && rows.get(0)[3] != null) {
            segMs = ((Number) rows.get(0)[3]).longValue();
        }
        if (!rows.isEmpty() && rows.get(0)[0] != null) {
            Object[] r = rows.get(0);
            long reported = ((Number) r[0]).longValue();
            long elapsed = Math.max(0, java.time.Duration.between(toInstant(r[2]), Instant.now(clock)).toMillis());
            seq = Math.max(seq, reported + 1 + (elapsed + segMs - 1) / segMs);
            disc = Math.max(disc, r[1] == null ? 0 : ((Number) r[1]).longValue());
        } else if (a.generation > 0) {
            seq = seq + 1;
        }
        LOG.debugf("continuity stream=%s media_sequence=%d discontinuity_sequence=%d", stream, seq, disc);
        return new Continuity(seq, disc, segMs);
    }
}
