package io.tributary.controlplane.event;

import io.tributary.api.event.Event;
import io.tributary.api.event.EventList;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/** Writes the cluster's timeline (in the caller's transaction) and reads it back. */
@ApplicationScoped
public class EventService {
    private static final Logger LOG = Logger.getLogger(EventService.class);
    private final Clock clock;
    private final jakarta.persistence.EntityManager em;

    public EventService(Clock clock, jakarta.persistence.EntityManager em) {
        this.clock = clock;
        this.em = em;
    }

    /** One event of {@link #recordAll}. */
    public record Pending(String type, String stream, String server, Long generation, String message, Long durationMs) {
    }

    /**
     * Records many events in one statement (in the caller's transaction), in list order: a pass
     * that moves a dead server's thousand streams wrote a thousand single inserts.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void recordAll(List<Pending> list) {
        if (list.isEmpty()) {
            return;
        }
        int n = list.size();
        String[] type = new String[n];
        String[] stream = new String[n];
        String[] server = new String[n];
        Long[] generation = new Long[n];
        String[] message = new String[n];
        Long[] duration = new Long[n];
        for (int i = 0; i < n; i++) {
            Pending p = list.get(i);
            type[i] = p.type();
            stream[i] = p.stream();
            server[i] = p.server();
            generation[i] = p.generation();
            message[i] = p.message();
            duration[i] = p.durationMs();
            LOG.infof("event %s stream=%s server=%s generation=%s %s", p.type(), p.stream(), p.server(), p.generation(),
                    p.message());
        }
        em.unwrap(org.hibernate.Session.class).doWork(c -> {
            try (java.sql.PreparedStatement st = c.prepareStatement("INSERT INTO events (at, type, stream_name, hostname, "
                    + "generation, message, duration_ms) SELECT ?, v.type, v.stream, v.server, v.generation, v.message, v.duration "
                    + "FROM unnest(?::text[], ?::text[], ?::text[], ?::bigint[], ?::text[], ?::bigint[]) WITH ORDINALITY "
                    + "AS v(type, stream, server, generation, message, duration, i) ORDER BY v.i")) {
                st.setTimestamp(1, java.sql.Timestamp.from(Instant.now(clock)));
                st.setArray(2, c.createArrayOf("text", type));
                st.setArray(3, c.createArrayOf("text", stream));
                st.setArray(4, c.createArrayOf("text", server));
                st.setArray(5, c.createArrayOf("int8", generation));
                st.setArray(6, c.createArrayOf("text", message));
                st.setArray(7, c.createArrayOf("int8", duration));
                st.executeUpdate();
            }
        });
    }

    @Transactional
    public void record(String type, String stream, String server, Long generation, String message, Long durationMs) {
        EventEntity e = new EventEntity();
        e.at = Instant.now(clock);
        e.type = type;
        e.streamName = stream;
        e.hostname = server;
        e.generation = generation;
        e.message = message;
        e.durationMs = durationMs;
        e.persist();
        LOG.infof("event %s stream=%s server=%s generation=%s %s", type, stream, server, generation, message);
    }

    /**
     * Newest first; {@code since} keeps events after a time, {@code before} pages back by id;
     * {@code after} returns the events after an id, oldest first (for followers).
     */
    @Transactional
    public EventList list(Instant since, Long before, Long after, String stream, String server, String type, int limit) {
        StringBuilder q = new StringBuilder("1=1");
        Map<String, Object> p = new HashMap<>();
        if (since != null) {
            q.append(" and at >= :since");
            p.put("since", since);
        }
        if (before != null) {
            q.append(" and id < :before");
            p.put("before", before);
        }
        if (after != null) {
            q.append(" and id > :after");
            p.put("after", after);
        }
        if (stream != null) {
            q.append(" and streamName = :stream");
            p.put("stream", stream);
        }
        if (server != null) {
            q.append(" and hostname = :server");
            p.put("server", server);
        }
        if (type != null) {
            q.append(" and type = :type");
            p.put("type", type);
        }
        // "after" follows the timeline forwards (oldest first); otherwise newest first.
        q.append(after != null ? " order by id asc" : " order by id desc");
        List<EventEntity> rows = EventEntity.find(q.toString(), p).page(0, limit + 1).list();
        List<Event> out = new ArrayList<>();
        for (int i = 0; i < Math.min(limit, rows.size()); i++) {
            EventEntity e = rows.get(i);
            out.add(new Event(e.id, e.at, e.type, e.streamName, e.hostname, e.generation, e.message, e.durationMs));
        }
        Long next = rows.size() > limit ? out.get(out.size() - 1).id() : null;
        return new EventList(out, next);
    }
}
