package io.tributary.controlplane.edge;

import io.tributary.api.agent.StreamReport;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Demand for on-demand streams (observed): recorded when an agent looks a stream up, kept alive
 * by reports with viewers or edge pulls of it; read by the scheduler.
 */
@ApplicationScoped
public class DemandService {
    private final EntityManager em;

    public DemandService(EntityManager em) {
        this.em = em;
    }

    /** Someone asked for the stream now (in the caller's transaction). */
    public void record(String stream, Instant now) {
        em.createNativeQuery("INSERT INTO stream_demand (stream_name, last_demand_at) VALUES (:n, :t) "
                + "ON CONFLICT (stream_name) DO UPDATE SET last_demand_at = EXCLUDED.last_demand_at")
                .setParameter("n", stream).setParameter("t", Timestamp.from(now)).executeUpdate();
    }

    /**
     * Keeps the demand of every reported stream with viewers (captures and pulls) alive; only
     * on-demand streams have a row, so static streams cost nothing here.
     */
    public void keepAlive(List<StreamReport> streams, List<StreamReport> pulls, Instant now) {
        Set<String> names = demanded(streams, pulls);
        if (names.isEmpty()) {
            return;
        }
        // At most one write a second per stream: reports come every second from every server.
        em.createNativeQuery("UPDATE stream_demand SET last_demand_at = :t WHERE stream_name IN (:n) "
                + "AND last_demand_at < :fresh")
                .setParameter("t", Timestamp.from(now)).setParameter("n", names)
                .setParameter("fresh", Timestamp.from(now.minusMillis(1000))).executeUpdate();
    }

    /** The streams a report shows viewers of (an edge's rung {@code <name>/v<i>} counts for {@code <name>}). */
    public static Set<String> demanded(List<StreamReport> streams, List<StreamReport> pulls) {
        Set<String> names = new LinkedHashSet<>();
        for (List<StreamReport> list : List.of(streams, pulls)) {
            for (StreamReport r : list) {
                if (r.name() != null && r.onlineClients() != null && r.onlineClients() > 0) {
                    names.add(r.name());
                    // An edge pulls the rungs of a transcoded stream as <name>/v<i>: demand for <name>.
                    int slash = r.name().lastIndexOf('/');
                    if (slash > 0 && r.name().matches(".+/v[1-9]")) {
                        names.add(r.name().substring(0, slash));
                    }
                }
            }
        }
        return names;
    }

    /** Last demand of every on-demand stream that ever had one. */
    public Map<String, Instant> all() {
        Map<String, Instant> out = new HashMap<>();
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("SELECT stream_name, last_demand_at FROM stream_demand").getResultList();
        for (Object[] row : rows) {
            out.put((String) row[0], toInstant(row[1]));
        }
        return out;
    }

    static Instant toInstant(Object o) {
        if (o instanceof Instant i) {
            return i;
        }
        if (o instanceof Timestamp t) {
            return t.toInstant();
        }
        if (o instanceof OffsetDateTime d) {
            return d.toInstant();
        }
        throw new IllegalStateException("unexpected timestamp type " + o.getClass());
    }
}
