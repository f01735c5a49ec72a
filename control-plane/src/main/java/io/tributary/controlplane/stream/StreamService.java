package io.tributary.controlplane.stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.api.Violation;
import io.tributary.api.agent.StreamReport;
import io.tributary.api.stream.StreamConfig;
import io.tributary.api.stream.StreamList;
import io.tributary.api.stream.StreamStats;
import io.tributary.api.stream.StreamValidation;
import io.tributary.controlplane.assignment.AssignmentEntity;
import io.tributary.controlplane.assignment.AssignmentService;
import io.tributary.controlplane.assignment.Scheduler;
import io.tributary.controlplane.common.ApiException;
import io.tributary.controlplane.common.IfMatch;
import io.tributary.controlplane.common.NameCursor;
import io.tributary.controlplane.configbackend.ConfigEpoch;
import io.tributary.controlplane.dvr.DvrService;
import io.tributary.controlplane.edge.PullService;
import io.tributary.controlplane.event.EventService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Stream configuration: validation, create-or-replace with optimistic versions, delete, restart, status. */
@ApplicationScoped
public class StreamService {
    public static final int MAX_LIMIT = 1000;
    private static final NameCursor CURSOR = new NameCursor("n", "this API");

    private final EntityManager em;
    private final ObjectMapper json;
    private final EventService events;
    private final ConfigEpoch epoch;
    private final AssignmentService assignments;
    private final Scheduler scheduler;
    private final Clock clock;

    /** A stream with its version, for the ETag. */
    public record Versioned(StreamConfig stream, long version) {
    }

    private final PullService pulls;
    private final DvrService dvr;

    public StreamService(EntityManager em, ObjectMapper json, EventService events, ConfigEpoch epoch,
            AssignmentService assignments, Scheduler scheduler, Clock clock, PullService pulls, DvrService dvr) {
        this.pulls = pulls;
        this.dvr = dvr;
        this.scheduler = scheduler;
        this.em = em;
        this.json = json;
        this.events = events;
        this.epoch = epoch;
        this.assignments = assignments;
        this.clock = clock;
    }

    @Transactional
    public StreamList list(int limit, String cursor, String q) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ApiException.invalid("limit", "limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
        }
        String after = CURSOR.decode(cursor);
        StringBuilder sql = new StringBuilder("SELECT * FROM streams WHERE name > :after");
        boolean search = q != null && !q.isBlank();
        if (search) {
            sql.append(" AND (strpos(lower(name), :q) > 0 OR strpos(lower(coalesce(config->>'title', '')), :q) > 0)");
        }
        sql.append(" ORDER BY name LIMIT :lim");
        var query = em.createNativeQuery(sql.toString(), StreamEntity.class)
                .setParameter("after", after == null ? "" : after)
                .setParameter("lim", limit + 1);
        if (search) {
            query.setParameter("q", q.toLowerCase(java.util.Locale.ROOT));
        }
        @SuppressWarnings("unchecked")
        List<StreamEntity> rows = query.getResultList();
        boolean more = rows.size() > limit;
        if (more) {
            rows = rows.subList(0, limit);
        }
        List<StreamConfig> out = withStats(rows);
        String next = more ? CURSOR.encode(rows.get(rows.size() - 1).name) : null;
        return new StreamList(out, next);
    }

    @Transactional
    public Versioned get(String name) {
        StreamEntity e = StreamEntity.findById(name);
        if (e == null) {
            throw ApiException.notFound("stream '" + name + "' does not exist");
        }
        return new Versioned(withStats(List.of(e)).get(0), e.version);
    }

    /** Creates or replaces; with {@code ifMatch} the write happens only on that version, else 409. */
    @Transactional
    public Versioned put(String name, StreamConfig body, String ifMatch, boolean createOnly) {
        if (body == null) {
            throw ApiException.invalid(null, "the body must be a stream config object");
        }
        if (body.name() != null && !body.name().equals(name)) {
            throw ApiException.invalid("name", "name '" + body.name() + "' in the body differs from '" + name + "' in the URL");
        }
        StreamConfig desired = body.withName(name).desired();
        List<Violation> violations = StreamValidation.validate(desired);
        if (!violations.isEmpty()) {
            throw ApiException.invalid(violations);
        }
        epoch.lockForChange();
        lockName(name);
        StreamEntity e = StreamEntity.findById(name);
        Long expected = IfMatch.version(ifMatch);
        Instant now = Instant.now(clock);
        if (e == null) {
            if (expected != null) {
                throw ApiException.conflict("stream '" + name + "' does not exist any more (If-Match " + ifMatch + ")");
            }
            e = new StreamEntity();
            e.name = name;
            e.createdAt = now;
            e.version = 1;
            apply(e, desired, now);
            e.persist();
            events.record("stream_created", name, null, null, "stream created", null);
        } else {
            if (createOnly) {
                throw ApiException.conflict("stream '" + name + "' already exists (If-None-Match: *)");
            }
            if (expected != null && expected != e.version) {
                throw ApiException.conflict("stream '" + name + "' was changed by someone else: version is "
                        + e.version + ", If-Match asked for " + expected);
            }
            StreamConfig old = read(e.config);
            if (Objects.equals(old, desired)) {
                return new Versioned(withStats(List.of(e)).get(0), e.version);
            }
            e.version++;
            apply(e, desired, now);
            events.record("stream_updated", name, null, null, "stream config changed", null);
        }
        epoch.bumpContent();
        scheduler.wakeAfterCommit();
        em.flush();
        return new Versioned(withStats(List.of(e)).get(0), e.version);
    }

    @Transactional
    public void delete(String name, String ifMatch) {
        epoch.lockForChange();
        lockName(name);
        StreamEntity e = StreamEntity.findById(name);
        if (e == null) {
            throw ApiException.notFound("stream '" + name + "' does not exist");
        }
        Long expected = IfMatch.version(ifMatch);
        if (expected != null && expected != e.version) {
            throw ApiException.conflict("stream '" + name + "' was changed by someone else: version is "
                    + e.version + ", If-Match asked for " + expected);
        }
        assignments.onStreamDeleted(name);
        e.delete();
        events.record("stream_deleted", name, null, null, "stream deleted", null);
        epoch.bumpContent();
        scheduler.wakeAfterCommit();
    }

    @Transactional
    public Versioned restart(String name) {
        epoch.lockForChange();
        lockName(name);
        StreamEntity e = StreamEntity.findById(name);
        if (e == null) {
            throw ApiException.notFound("stream '" + name + "' does not exist");
        }
        e.restartSeq++;
        assignments.restart(name);
        events.record("stream_restart", name, null, null, "restart requested", null);
        epoch.bumpContent();
        return new Versioned(withStats(List.of(e)).get(0), e.version);
    }

    /** Parses the stored JSON config. */
    public StreamConfig read(String config) {
        try {
            return json.readValue(config, StreamConfig.class);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("stored stream config is not valid JSON", ex);
        }
    }

    private void apply(StreamEntity e, StreamConfig desired, Instant now) {
        try {
            e.config = json.writeValueAsString(desired);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
        e.isStatic = desired.staticOrDefault();
        e.disabled = desired.disabledOrDefault();
        e.updatedAt = now;
    }

    /** Serialises writers of one stream name (also covers two concurrent creates). */
    private void lockName(String name) {
        em.createNativeQuery("SELECT pg_advisory_xact_lock(hashtext(:n))").setParameter("n", "stream:" + name)
                .getSingleResult();
    }

    /**
     * The DVR error of the server that records the stream now: its assigned server, or for a
     * stream without assignment one it runs on. Servers that only keep an old part of the archive
     * do not count (their error is in {@code GET /api/v1/streams/{name}/dvr}). Null: recording works.
     */
    private static String dvrError(Map<String, String> byHost, StreamStats stats) {
        if (byHost == null || byHost.isEmpty()) {
            return null;
        }
        if (stats.assignedTo() != null) {
            return byHost.get(stats.assignedTo());
        }
        return stats.runningOn() == null ? null
                : stats.runningOn().stream().map(byHost::get).filter(Objects::nonNull).findFirst().orElse(null);
    }

    /** Configs with their derived stats, loaded for a whole page at once. */
    public List<StreamConfig> withStats(Collection<StreamEntity> rows) {
        if (rows.isEmpty()) {
            return List.of();
        }
        List<String> names = rows.stream().map(r -> r.name).toList();
        Map<String, AssignmentEntity> byStream = new HashMap<>();
        for (AssignmentEntity a : em.createQuery("from AssignmentEntity a where a.streamName in :n", AssignmentEntity.class)
                .setParameter("n", names).getResultList()) {
            byStream.put(a.streamName, a);
        }
        Map<String, List<StreamStatus.Observed>> observed = new HashMap<>();
        List<Object[]> reports = em.createNativeQuery(
                "SELECT r.stream_name, r.hostname, CAST(r.report AS text), s.status FROM stream_reports r "
                        + "JOIN servers s ON s.hostname = r.hostname WHERE r.stream_name IN (:n)")
                .setParameter("n", names).getResultList();
        for (Object[] row : reports) {
            try {
                StreamReport rep = json.readValue((String) row[2], StreamReport.class);
                observed.computeIfAbsent((String) row[0], k -> new ArrayList<>())
                        .add(new StreamStatus.Observed((String) row[1], rep, "up".equals(row[3])));
            } catch (JsonProcessingException ex) {
                throw new IllegalStateException(ex);
            }
        }
        Map<String, List<StreamStats.Pull>> pulled = pulls.of(names);
        Map<String, Map<String, String>> dvrErrors = dvr.errors(names);
        List<StreamConfig> out = new ArrayList<>(rows.size());
        for (StreamEntity e : rows) {
            AssignmentEntity a = byStream.get(e.name);
            StreamStats stats = StreamStatus.derive(e.disabled, e.isStatic,
                    a == null ? null : a.hostname, a == null ? null : a.generation,
                    a == null ? null : a.reason, observed.getOrDefault(e.name, List.of()))
                    .withPulledBy(pulled.get(e.name));
            stats = stats.withDvrError(dvrError(dvrErrors.get(e.name), stats));
            out.add(read(e.config).withStatus(stats, null));
        }
        return out;
    }
}
