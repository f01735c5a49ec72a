package io.tributary.controlplane.assignment;

import io.tributary.controlplane.configbackend.ConfigEpoch;
import io.tributary.controlplane.event.EventService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.FlushModeType;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
     * Applies one plan in the caller's transaction; returns whether anything changed. What its
     * decisions need is read up front in a few statements for the whole plan (assignments,
     * continuity, generations, last seen per server) and its events written in one: a dead
     * server's thousand streams took a thousand rounds of four queries and an insert. These reads
     * touch rows the plan does not write, so they run without Hibernate's auto-flush (a pass
     * holds many entities, and a flush before each query dirty-checked them all).
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean apply(List<Placement.Decision> plan) {
        Instant now = Instant.now(clock);
        List<String> names = plan.stream().map(Placement.Decision::stream).distinct().toList();
        Map<String, AssignmentEntity> current = assignments(names);
        Map<String, Reported> reported = reported(names);
        int placements = (int) plan.stream().filter(d -> d.action() == Placement.Action.PLACE
                || d.action() == Placement.Action.MOVE || d.action() == Placement.Action.HANDOFF).count();
        java.util.Iterator<Long> generations = nextGenerations(placements).iterator();
        Map<String, Long> silentFor = new HashMap<>();
        List<EventService.Pending> log = new ArrayList<>();
        boolean changed = false;
        for (Placement.Decision d : plan) {
            AssignmentEntity a = current.get(d.stream());
            switch (d.action()) {
                case STOP -> {
                    if (a != null) {
                        log.add(new EventService.Pending("capture_stopped", d.stream(), a.hostname, a.generation, d.reason(), null));
                        a.delete();
                        current.remove(d.stream());
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
                        current.put(d.stream(), a);
                    } else {
                        if (a.hostname != null) {
                            Continuity c = continuity(a, reported.get(d.stream()), now);
                            a.mediaSequence = c.mediaSequence;
                            a.discontinuitySequence = c.discontinuitySequence;
                        }
                        a.hostname = null;
                        a.handoffFrom = null;
                        a.handoffGeneration = null;
                        a.reason = d.reason();
                    }
                    log.add(new EventService.Pending("stream_waiting", d.stream(), d.from(), null, d.reason(), null));
                    changed = true;
                }
                case PLACE, MOVE, HANDOFF -> {
                    boolean fresh = a == null;
                    if (fresh) {
                        a = new AssignmentEntity();
                        a.streamName = d.stream();
                    }
                    Continuity c = continuity(a, reported.get(d.stream()), now);
                    long previousGeneration = a.generation;
                    a.generation = generations.next();
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
                        current.put(d.stream(), a);
                    }
                    String type = d.action() == Placement.Action.MOVE ? "failover" : "stream_assigned";
                    Long duration = d.action() == Placement.Action.MOVE && d.from() != null
                            ? silentFor.computeIfAbsent(d.from(), h -> sinceLastSeen(h, now)) : null;
                    log.add(new EventService.Pending(type, d.stream(), d.to(), a.generation,
                            d.action() == Placement.Action.PLACE ? "assigned to " + d.to()
                                    : d.reason() + "; " + d.from() + " -> " + d.to(), duration));
                    changed = true;
                }
                default -> throw new IllegalStateException(d.action().toString());
            }
        }
        events.recordAll(log);
        if (changed) {
            epoch.bump();
        }
        return changed;
    }

    /** Bind parameters per IN list (PostgreSQL takes at most 65,535 per statement). */
    private static final int CHUNK = 5000;

    private Map<String, AssignmentEntity> assignments(List<String> names) {
        Map<String, AssignmentEntity> out = new HashMap<>();
        for (int i = 0; i < names.size(); i += CHUNK) {
            for (AssignmentEntity a : em.createQuery("from AssignmentEntity a where a.streamName in :n", AssignmentEntity.class)
                    .setFlushMode(FlushModeType.COMMIT).setParameter("n", names.subList(i, Math.min(names.size(), i + CHUNK)))
                    .getResultList()) {
                out.put(a.streamName, a);
            }
        }
        return out;
    }

    private List<Long> nextGenerations(int n) {
        if (n == 0) {
            return List.of();
        }
        List<Long> out = new ArrayList<>();
        for (Object o : em.createNativeQuery("SELECT nextval('assignment_generation_seq') FROM generate_series(1, :n)")
                .setFlushMode(FlushModeType.COMMIT).setParameter("n", n).getResultList()) {
            out.add(((Number) o).longValue());
        }
        java.util.Collections.sort(out);
        return out;
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

    public static Instant toInstant(Object o) {
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

    record Continuity(long mediaSequence, long discontinuitySequence, long segmentMs) {
    }

    /** What the servers reported of a stream: newest segment, discontinuity, when, and its segment duration. */
    record Reported(Long mediaSequence, Long discontinuitySequence, Instant at, Long segmentMs) {
    }

    /**
     * The reports of each of {@code names} that has a stream row, one query per chunk. Of a
     * stream's reports (two while it moves) the one that projects furthest is kept, its newest
     * segment with its own time: the newest segment of one with the time of another would
     * project short by their difference (a report row can be seconds older than another, see
     * ReportBuffer), and a player would see a number again.
     */
    private Map<String, Reported> reported(List<String> names) {
        Map<String, Reported> out = new HashMap<>();
        for (int i = 0; i < names.size(); i += CHUNK) {
            @SuppressWarnings("unchecked")
            List<Object[]> rows = em.createNativeQuery(
                    "SELECT s.name, CAST(r.report->>'media_sequence' AS bigint), CAST(r.report->>'discontinuity_sequence' AS bigint), "
                            + "r.reported_at, CAST(s.config->>'segment_duration' AS bigint) "
                            + "FROM streams s LEFT JOIN stream_reports r ON r.stream_name = s.name WHERE s.name IN (:n)")
                    .setFlushMode(FlushModeType.COMMIT).setParameter("n", names.subList(i, Math.min(names.size(), i + CHUNK)))
                    .getResultList();
            for (Object[] r : rows) {
                Reported next = new Reported(r[1] == null ? null : ((Number) r[1]).longValue(),
                        r[2] == null ? null : ((Number) r[2]).longValue(), r[3] == null ? null : toInstant(r[3]),
                        r[4] == null ? null : ((Number) r[4]).longValue());
                out.merge((String) r[0], next, AssignmentService::further);
            }
        }
        return out;
    }

    /** Of two reports of a stream, the one whose newest segment projects further, with the higher discontinuity of both. */
    static Reported further(Reported a, Reported b) {
        Long disc = a.discontinuitySequence() == null ? b.discontinuitySequence()
                : b.discontinuitySequence() == null ? a.discontinuitySequence()
                : Long.valueOf(Math.max(a.discontinuitySequence(), b.discontinuitySequence()));
        Reported best;
        if (a.mediaSequence() == null || a.at() == null) {
            best = b;
        } else if (b.mediaSequence() == null || b.at() == null) {
            best = a;
        } else {
            long seg = a.segmentMs() != null ? a.segmentMs() : b.segmentMs() != null ? b.segmentMs() : 2000;
            // seq + (now - at) / seg, compared without now
            best = a.mediaSequence() * seg - a.at().toEpochMilli() >= b.mediaSequence() * seg - b.at().toEpochMilli() ? a : b;
        }
        return new Reported(best.mediaSequence(), disc, best.at(), best.segmentMs() != null ? best.segmentMs()
                : a.segmentMs() != null ? a.segmentMs() : b.segmentMs());
    }

    private Continuity continuity(String stream, AssignmentEntity a) {
        return continuity(a, reported(List.of(stream)).get(stream), Instant.now(clock));
    }

    /**
     * Where a new capture of the stream continues: after the newest segment any server reported,
     * plus the segments the old owner may have cut since its last report, so a player never sees
     * a sequence number again.
     */
    static Continuity continuity(AssignmentEntity a, Reported r, Instant now) {
        long seq = a.mediaSequence;
        long disc = a.discontinuitySequence;
        long segMs = r != null && r.segmentMs() != null ? r.segmentMs() : 2000;
        if (r != null && r.mediaSequence() != null && r.at() != null) {
            long elapsed = Math.max(0, java.time.Duration.between(r.at(), now).toMillis());
            seq = Math.max(seq, r.mediaSequence() + 1 + (elapsed + segMs - 1) / segMs);
            disc = Math.max(disc, r.discontinuitySequence() == null ? 0 : r.discontinuitySequence());
        } else if (a.generation > 0) {
            seq = seq + 1;
        }
        LOG.debugf("continuity stream=%s media_sequence=%d discontinuity_sequence=%d", a.streamName, seq, disc);
        return new Continuity(seq, disc, segMs);
    }
}
