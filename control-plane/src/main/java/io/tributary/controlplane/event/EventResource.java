package io.tributary.controlplane.event;

import io.tributary.api.event.EventList;
import io.tributary.controlplane.common.ApiException;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** {@code GET /api/v1/events}: the cluster's timeline, newest first. */
@Path("/api/v1/events")
@Produces(MediaType.APPLICATION_JSON)
public class EventResource {
    private final EventService service;

    public EventResource(EventService service) {
        this.service = service;
    }

    @GET
    public EventList list(@QueryParam("since") String since, @QueryParam("before") Long before,
            @QueryParam("after") Long after,
            @QueryParam("stream") String stream, @QueryParam("server") String server, @QueryParam("type") String type,
            @QueryParam("limit") @DefaultValue("100") int limit) {
        if (limit < 1 || limit > 1000) {
            throw ApiException.invalid("limit", "limit must be between 1 and 1000, got " + limit);
        }
        return service.list(parseSince(since), before, after, stream, server, type, limit);
    }

    /** {@code since} is an ISO-8601 instant or UNIX seconds. */
    static Instant parseSince(String since) {
        if (since == null || since.isBlank()) {
            return null;
        }
        try {
            if (since.chars().allMatch(Character::isDigit)) {
                return Instant.ofEpochSecond(Long.parseLong(since));
            }
            return Instant.parse(since);
        } catch (DateTimeParseException | NumberFormatException e) {
            throw ApiException.invalid("since", "since must be an ISO-8601 time or UNIX seconds, got '" + since + "'");
        }
    }
}
