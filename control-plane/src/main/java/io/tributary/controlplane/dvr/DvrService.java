package io.tributary.controlplane.dvr;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.api.agent.DvrLocations;
import io.tributary.api.agent.DvrStatus;
import io.tributary.controlplane.common.JsonText;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which server holds which part of each stream's DVR archive (table {@code dvr_ranges}, observed
 * state from agent reports): stores what agents report, answers where an archive lives, and
 * passes {@code DELETE ...?dvr=true} on to the holders. A report changes a row only when its
 * ranges' shape or its error changed, or every {@value #REFRESH_MS} ms as the recording grows, so
 * steady reports cost no writes.
 */
@ApplicationScoped
public class DvrService {
    static final long REFRESH_MS = 5_000;
    private static final TypeReference<List<List<Long>>> RANGES = new TypeReference<>() {
    };

    private final EntityManager em;
    private final ObjectMapper json;
    private final Clock clock;
    /** host|stream -> what this replica last wrote (ranges count, first second, error) and when. */
    private final Map<String, Written> written = new ConcurrentHashMap<>();
    /** host -> stream names it reported last time (rows of names it stops reporting are removed). */
    private final Map<String, Set<String>> reported = new ConcurrentHashMap<>();

    /** host -> whether its last report's answer asked it to delete archives. */
    private final Map<String, Boolean> deletesAsked = new ConcurrentHashMap<>();
    private final io.tributary.controlplane.configbackend.ConfigEpoch epoch;

    private record Written(int ranges, Long from, String error, long atMs) {
    }

    public DvrService(EntityManager em, ObjectMapper json, Clock clock,
            io.tributary.controlplane.configbackend.ConfigEpoch epoch) {
        this.em = em;
        this.json = json;
        this.clock = clock;
        this.epoch = epoch;
    }

    /**
     * Whether {@link #onReport} would write or answer nothing for this report: the same archives
     * as last time, none due for a refresh, no deletion pending (a deletion request moves the
     * config epoch, which sends the next report down the full path).
     */
    public boolean quiet(String hostname, List<DvrStatus> dvr) {
        if (dvr == null) {
            return true;
        }
        if (!Boolean.FALSE.equals(deletesAsked.get(hostname))) {
            return false;
        }
        Set<String> before = reported.get(hostname);
        if (before == null || before.size() != dvr.size()) {
            return false;
        }
        long now = clock.millis();
        for (DvrStatus s : dvr) {
            if (s == null || s.name() == null || !before.contains(s.name())) {
                return false;
            }
            Written w = written.get(hostname + "|" + s.name());
            int count = s.ranges() == null ? 0 : s.ranges().size();
            if (w == null || w.ranges() != count || !Objects.equals(w.from(), s.from())
                    || !Objects.equals(w.error(), s.error()) || now - w.atMs() >= REFRESH_MS) {
                return false;
            }
        }
        return true;
    }

    /**
     * Records one report's archives inside the report's transaction; returns the streams whose
     * archive this agent must delete (null when none). An agent that sends no {@code dvr} list
     * changes nothing.
     */
    public List<String> onReport(String hostname, List<DvrStatus> dvr) {
        if (dvr == null) {
            return null;
        }
        long now = clock.millis();
        Set<String> names = new HashSet<>();
        for (DvrStatus s : dvr) {
            if (s == null || s.name() == null || s.name().length() > 128) {
                continue;
            }
            names.add(s.name());
            String key = hostname + "|" + s.name();
            int count = s.ranges() == null ? 0 : s.ranges().size();
            Written w = written.get(key);
            if (w != null && w.ranges() == count && Objects.equals(w.from(), s.from())
                    && Objects.equals(w.error(), s.error()) && now - w.atMs() < REFRESH_MS) {
                continue;
            }
            em.createNativeQuery("INSERT INTO dvr_ranges (stream_name, hostname, from_s, depth_s, ranges, bytes, error, "
                    + "updated_at) VALUES (?1, ?2, ?3, ?4, CAST(?5 AS jsonb), ?6, ?7, ?8) ON CONFLICT (stream_name, hostname) "
                    + "DO UPDATE SET from_s = EXCLUDED.from_s, depth_s = EXCLUDED.depth_s, ranges = EXCLUDED.ranges, "
                    + "bytes = EXCLUDED.bytes, error = EXCLUDED.error, updated_at = EXCLUDED.updated_at")
                    .setParameter(1, s.name()).setParameter(2, hostname).setParameter(3, s.from())
                    .setParameter(4, s.depth()).setParameter(5, write(s.ranges() == null ? List.of() : s.ranges()))
                    .setParameter(6, s.bytes() == null ? 0L : s.bytes()).setParameter(7, s.error())
                    .setParameter(8, Timestamp.from(Instant.ofEpochMilli(now))).executeUpdate();
            written.put(key, new Written(count, s.from(), s.error(), now));
        }
        Set<String> before = reported.put(hostname, names);
        if (before == null || !before.equals(names)) {
            // the agent no longer holds these (retention emptied them, or it deleted them on request)
            List<String> gone = em.createNativeQuery("SELECT stream_name FROM dvr_ranges WHERE hostname = ?1", String.class)
                    .setParameter(1, hostname).getResultList().stream().map(Object::toString)
                    .filter(n -> !names.contains(n)).toList();
            for (String n : gone) {
                em.createNativeQuery("DELETE FROM dvr_ranges WHERE hostname = ?1 AND stream_name = ?2")
                        .setParameter(1, hostname).setParameter(2, n).executeUpdate();
                written.remove(hostname + "|" + n);
            }
        }
        if (names.isEmpty()) {
            deletesAsked.put(hostname, false);
            return null;
        }
        List<String> delete = em.createNativeQuery(
                "SELECT stream_name FROM dvr_ranges WHERE hostname = ?1 AND delete_requested", String.class)
                .setParameter(1, hostname).getResultList().stream().map(Object::toString).toList();
        deletesAsked.put(hostname, !delete.isEmpty());
        return delete.isEmpty() ? null : delete;
    }

    /** Asks every holder to delete the stream's archive; returns how many servers hold a part. */
    @Transactional
    public int requestDelete(String stream) {
        epoch.lockForChange();
        int holders = em.createNativeQuery("UPDATE dvr_ranges SET delete_requested = true WHERE stream_name = ?1")
                .setParameter(1, stream).executeUpdate();
        if (holders > 0) {
            epoch.bumpContent(); // the holders' next reports take the full path, whose answer asks them to delete
        }
        return holders;
    }

    /**
     * The recording error each server reports for the given streams' archives (stream name ->
     * hostname -> error), only servers that are up: what {@code stats.dvr_error} shows.
     */
    public Map<String, Map<String, String>> errors(java.util.Collection<String> streams) {
        Map<String, Map<String, String>> out = new java.util.HashMap<>();
        if (streams.isEmpty()) {
            return out;
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("SELECT r.stream_name, r.hostname, r.error FROM dvr_ranges r "
                + "JOIN servers s ON s.hostname = r.hostname WHERE r.stream_name IN (:n) AND r.error IS NOT NULL "
                + "AND s.status = 'up' AND NOT r.delete_requested")
                .setParameter("n", streams).getResultList();
        for (Object[] r : rows) {
            out.computeIfAbsent((String) r[0], k -> new java.util.HashMap<>()).put((String) r[1], (String) r[2]);
        }
        return out;
    }

    /** Where the stream's archive lives, with the holders' private URLs; null when no server holds any of it. */
    @Transactional
    public DvrLocations locations(String stream) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("SELECT r.hostname, COALESCE(s.private_payload_url, s.public_payload_url), "
                + "s.status, r.from_s, r.depth_s, CAST(r.ranges AS text), r.bytes, r.error, r.updated_at "
                + "FROM dvr_ranges r LEFT JOIN servers s ON s.hostname = r.hostname "
                + "WHERE r.stream_name = ?1 AND NOT r.delete_requested ORDER BY r.from_s NULLS LAST, r.hostname")
                .setParameter(1, stream).getResultList();
        if (rows.isEmpty()) {
            return null;
        }
        List<DvrLocations.Holder> holders = new ArrayList<>();
        List<List<Long>> all = new ArrayList<>();
        long bytes = 0;
        for (Object[] r : rows) {
            List<List<Long>> ranges = read((String) r[5]);
            all.addAll(ranges);
            long b = r[6] == null ? 0 : ((Number) r[6]).longValue();
            bytes += b;
            holders.add(new DvrLocations.Holder((String) r[0], (String) r[1], (String) r[2], number(r[3]), number(r[4]),
                    ranges, b, (String) r[7], updatedAt(r[8])));
        }
        return new DvrLocations(stream, DvrStatus.mergeRanges(all), bytes, holders);
    }

    private static Long number(Object o) {
        return o == null ? null : ((Number) o).longValue();
    }

    private static Long updatedAt(Object o) {
        if (o instanceof Timestamp t) {
            return t.getTime();
        }
        if (o instanceof Instant i) {
            return i.toEpochMilli();
        }
        if (o instanceof java.time.OffsetDateTime odt) {
            return odt.toInstant().toEpochMilli();
        }
        return null;
    }

    private String write(Object o) {
        return JsonText.write(json, o);
    }

    private List<List<Long>> read(String s) {
        try {
            return s == null ? List.of() : json.readValue(s, RANGES);
        } catch (JsonProcessingException e) {
            return List.of();
        }
    }
}
