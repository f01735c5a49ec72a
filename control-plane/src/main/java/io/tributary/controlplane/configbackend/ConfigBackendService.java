package io.tributary.controlplane.configbackend;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.api.configbackend.ConfigBackendStreams;
import io.tributary.api.stream.AssignmentInfo;
import io.tributary.api.stream.StreamConfig;
import io.tributary.controlplane.common.ApiException;
import io.tributary.controlplane.common.NameCursor;
import io.tributary.controlplane.common.TributaryConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.util.ArrayList;
import java.util.List;

/**
 * Flussonic's Configuration Backend API over the desired state: the streams a host must run
 * (its assignments, with generation and HLS continuity), or named streams whatever their
 * placement. Keyset cursors by name stay stable while streams are added or removed.
 */
@ApplicationScoped
public class ConfigBackendService {
    public static final int PAGE_SIZE = 500;
    private static final NameCursor CURSOR = new NameCursor("c", "this backend");

    private final EntityManager em;
    private final ObjectMapper json;
    private final TributaryConfig config;

    public ConfigBackendService(EntityManager em, ObjectMapper json, TributaryConfig config) {
        this.em = em;
        this.json = json;
        this.config = config;
    }

    @Transactional
    public ConfigBackendStreams streams(String host, List<String> names, String cursor, int pageSize) {
        String after = CURSOR.decode(cursor);
        boolean byName = names != null && !names.isEmpty();
        if (!byName && (host == null || host.isBlank())) {
            throw ApiException.invalid("host", "host is required unless name asks for named streams");
        }
        String where;
        if (byName) {
            where = "s.name IN (:names)";
        } else {
            // Two index lookups (owner, hand-off source) instead of an OR that scans every assignment.
            where = "s.disabled = false AND s.name IN (SELECT stream_name FROM assignments WHERE hostname = :host "
                    + "UNION ALL SELECT stream_name FROM assignments WHERE handoff_from = :host)";
        }
        String sql = "SELECT CAST(s.config AS text), a.hostname, a.generation, a.handoff_from, a.handoff_generation, "
                + "a.media_sequence, a.discontinuity_sequence FROM streams s LEFT JOIN assignments a ON a.stream_name = s.name "
                + "WHERE " + where + " AND s.name > :after ORDER BY s.name LIMIT :lim";
        var q = em.createNativeQuery(sql).setParameter("after", after == null ? "" : after).setParameter("lim", pageSize + 1);
        if (byName) {
            q.setParameter("names", names);
        } else {
            q.setParameter("host", host);
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = q.getResultList();
        boolean more = rows.size() > pageSize;
        List<StreamConfig> out = new ArrayList<>();
        for (int i = 0; i < Math.min(rows.size(), pageSize); i++) {
            Object[] r = rows.get(i);
            StreamConfig c = read((String) r[0]);
            AssignmentInfo info = null;
            if (host != null) {
                if (host.equals(r[1])) {
                    info = new AssignmentInfo(((Number) r[2]).longValue(), ((Number) r[5]).longValue(),
                            ((Number) r[6]).longValue(), config.leaseMs());
                } else if (host.equals(r[3]) && r[4] != null) {
                    // The old owner of a hand-off lists segments up to just before the new owner's first.
                    long newFirst = ((Number) r[5]).longValue();
                    info = new AssignmentInfo(((Number) r[4]).longValue(), null, null, config.leaseMs(),
                            newFirst > 0 ? newFirst - 1 : null);
                }
            }
            out.add(c.withStatus(null, info));
        }
        String next = more ? CURSOR.encode(out.get(out.size() - 1).name()) : null;
        String prev = after == null ? null : CURSOR.encode(after);
        long estimated = estimate(byName, host, names);
        return new ConfigBackendStreams(out, next, prev, estimated);
    }

    /** One row of a page as the ETag digests it: the config and everything of its assignment the page shows. */
    private static final String ROW = "s.name || '|' || CAST(s.config AS text) || '|' || coalesce(a.hostname, '') || '|' "
            + "|| coalesce(CAST(a.generation AS text), '') || '|' || coalesce(a.handoff_from, '') || '|' "
            + "|| coalesce(CAST(a.handoff_generation AS text), '') || '|' || coalesce(CAST(a.media_sequence AS text), '') "
            + "|| '|' || coalesce(CAST(a.discontinuity_sequence AS text), '')";

    /**
     * The ETag of an answer: a digest of exactly the rows its pages hold (each stream's config
     * and its assignment or hand-off), so it changes when they change and only then. A host's
     * page ({@code ?host=}) changes only with that host's streams: it was the cluster-wide config
     * epoch, and every change anywhere (a server up, a move) sent every agent to re-read its config.
     */
    @Transactional
    public String etag(String host, List<String> names) {
        boolean byName = names != null && !names.isEmpty();
        String sql = byName
                ? "SELECT md5(:h || '#' || coalesce(string_agg(" + ROW + ", ',' ORDER BY s.name), '')) FROM streams s "
                        + "LEFT JOIN assignments a ON a.stream_name = s.name WHERE s.name IN (:names)"
                : "SELECT md5(:h || '#' || coalesce(string_agg(" + ROW + ", ',' ORDER BY s.name), '')) FROM streams s "
                        + "JOIN assignments a ON a.stream_name = s.name WHERE s.disabled = false AND s.name IN "
                        + "(SELECT stream_name FROM assignments WHERE hostname = :h "
                        + "UNION ALL SELECT stream_name FROM assignments WHERE handoff_from = :h)";
        var q = em.createNativeQuery(sql).setParameter("h", host == null ? "" : host);
        if (byName) {
            q.setParameter("names", names);
        }
        return "\"" + (byName ? "n" : "h") + q.getSingleResult() + "\"";
    }

    /** How long a cached host ETag is trusted without an epoch change (writes made outside the API). */
    static final long HOST_ETAG_MS = 10_000;

    private record CachedEtag(String version, String etag, long atMs) {
    }

    private final java.util.Map<String, CachedEtag> hostEtags = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * A host's ETag for a report answer, given the host's version the report read (AgentService's
     * VERSION: content epoch, server state, digest of its assignments): reused while the version
     * stands (every change to the host's page moves it), recomputed when it moved or after
     * {@link #HOST_ETAG_MS}. Digesting a host's page on every report cost a tenth of the control
     * plane's CPU at 1,000 agents.
     */
    @Transactional
    public String hostEtag(String host, String version) {
        long now = System.currentTimeMillis();
        CachedEtag c = hostEtags.get(host);
        if (c != null && c.version().equals(version) && now - c.atMs() < HOST_ETAG_MS && now >= c.atMs()) {
            return c.etag();
        }
        String etag = etag(host, null);
        hostEtags.put(host, new CachedEtag(version, etag, now));
        return etag;
    }

    private long estimate(boolean byName, String host, List<String> names) {
        if (byName) {
            return ((Number) em.createNativeQuery("SELECT count(*) FROM streams WHERE name IN (:n)")
                    .setParameter("n", names).getSingleResult()).longValue();
        }
        return ((Number) em.createNativeQuery("SELECT count(*) FROM streams s WHERE s.disabled = false AND s.name IN "
                + "(SELECT stream_name FROM assignments WHERE hostname = :h UNION ALL "
                + "SELECT stream_name FROM assignments WHERE handoff_from = :h)")
                .setParameter("h", host).getSingleResult()).longValue();
    }

    private StreamConfig read(String s) {
        try {
            return json.readValue(s, StreamConfig.class);
        } catch (Exception e) {
            throw new IllegalStateException("stored stream config is not valid JSON", e);
        }
    }
}
