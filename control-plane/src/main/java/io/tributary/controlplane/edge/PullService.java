package io.tributary.controlplane.edge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.api.agent.StreamReport;
import io.tributary.api.agent.StreamSource;
import io.tributary.api.stream.StreamStats;
import io.tributary.controlplane.common.JsonText;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The streams each edge restreams (observed, from its reports' {@code pulls}), kept apart from
 * captures: the exactly-once accounting and fencing of AgentService never see them.
 */
@ApplicationScoped
public class PullService {
    /** A pull not reported for this long is not shown (its edge stopped reporting it elsewhere). */
    static final long STALE_S = 15;
    private final EntityManager em;
    private final ObjectMapper json;
    private final Map<String, Boolean> hostsWithPulls = new ConcurrentHashMap<>();

    private final Clock clock;

    public PullService(EntityManager em, ObjectMapper json, Clock clock) {
        this.clock = clock;
        this.em = em;
        this.json = json;
    }

    /** Replaces what {@code hostname} pulls with its latest report. */
    public void record(String hostname, List<StreamReport> pulls, Instant now) {
        if (pulls.isEmpty()) {
            // The common case (a server that pulls nothing) costs no statement once its rows are gone.
            // Another replica may have stored rows this one does not know of: the API ignores stale rows.
            if (hostsWithPulls.remove(hostname) != null) {
                em.createNativeQuery("DELETE FROM stream_pulls WHERE hostname = :h").setParameter("h", hostname)
                        .executeUpdate();
            }
            return;
        }
        hostsWithPulls.put(hostname, Boolean.TRUE);
        Set<String> seen = new HashSet<>();
        List<String> names = new ArrayList<>();
        for (StreamReport r : pulls) {
            if (r.name() == null || !seen.add(r.name())) {
                continue;
            }
            names.add(r.name());
            em.createNativeQuery("INSERT INTO stream_pulls (stream_name, hostname, source_hostname, status, report, reported_at) "
                    + "VALUES (:n, :h, :src, :st, CAST(:r AS jsonb), :t) ON CONFLICT (stream_name, hostname) DO UPDATE SET "
                    + "source_hostname = EXCLUDED.source_hostname, status = EXCLUDED.status, report = EXCLUDED.report, "
                    + "reported_at = EXCLUDED.reported_at")
                    .setParameter("n", r.name()).setParameter("h", hostname).setParameter("src", sourceHost(r))
                    .setParameter("st", r.status() == null ? "error" : r.status()).setParameter("r", write(r))
                    .setParameter("t", Timestamp.from(now)).executeUpdate();
        }
        em.createNativeQuery("DELETE FROM stream_pulls WHERE hostname = :h AND stream_name NOT IN (:n)")
                .setParameter("h", hostname).setParameter("n", names).executeUpdate();
    }

    /** The edges pulling each of {@code streams} (one query for a page of streams). */
    public Map<String, List<StreamStats.Pull>> of(List<String> streams) {
        Map<String, List<StreamStats.Pull>> out = new HashMap<>();
        if (streams.isEmpty()) {
            return out;
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("SELECT p.stream_name, p.hostname, CAST(p.report AS text) "
                + "FROM stream_pulls p JOIN servers s ON s.hostname = p.hostname "
                + "WHERE p.stream_name IN (:n) AND s.status = 'up' AND p.reported_at > :fresh ORDER BY p.hostname")
                .setParameter("n", streams).setParameter("fresh", Timestamp.from(Instant.now(clock).minusSeconds(STALE_S)))
                .getResultList();
        for (Object[] row : rows) {
            try {
                StreamReport r = json.readValue((String) row[2], StreamReport.class);
                out.computeIfAbsent((String) row[0], k -> new ArrayList<>()).add(new StreamStats.Pull((String) row[1],
                        r.status(), r.lastError(), r.onlineClients(), r.activeInput()));
            } catch (JsonProcessingException e) {
                // a row we cannot read is left out, never fails the caller
            }
        }
        return out;
    }

    /**
     * Where the pulled streams are captured now (the report answer's {@code sources}): one query;
     * streams not placed are left out (the edge keeps pulling from where it does, or keeps asking).
     */
    public List<StreamSource> placements(List<StreamReport> pulled) {
        List<String> names = pulled.stream().map(StreamReport::name).filter(java.util.Objects::nonNull).distinct().toList();
        List<StreamSource> out = new ArrayList<>();
        if (names.isEmpty()) {
            return out;
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("SELECT a.stream_name, a.hostname, a.generation, "
                + "COALESCE(s.private_payload_url, s.public_payload_url), s.public_payload_url, s.status, "
                + "COALESCE(r.generation = a.generation AND (r.report ->> 'has_segment') = 'true', false) "
                + "FROM assignments a JOIN servers s ON s.hostname = a.hostname "
                + "LEFT JOIN stream_reports r ON r.stream_name = a.stream_name AND r.hostname = a.hostname "
                + "WHERE a.stream_name IN (:n)").setParameter("n", names).getResultList();
        for (Object[] row : rows) {
            boolean up = "up".equals(row[5]);
            out.add(new StreamSource((String) row[0], (String) row[1], (String) row[3], (String) row[4],
                    ((Number) row[2]).longValue(), up && Boolean.TRUE.equals(row[6]),
                    up ? null : "server " + row[1] + " is down", null));
        }
        return out;
    }

    /** The source's host as the edge named it: active_input is {@code <private url>/<name>/mpegts}. */
    private static String sourceHost(StreamReport r) {
        String in = r.activeInput();
        if (in == null) {
            return null;
        }
        try {
            return java.net.URI.create(in).getHost();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private String write(Object o) {
        return JsonText.write(json, o);
    }
}
