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

    public EventService(Clock clock) {
        this.clock = clock;
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
