package io.tributary.controlplane.edge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.api.agent.StreamSource;
import io.tributary.api.server.ServerConfig;
import io.tributary.api.stream.StreamConfig;
import io.tributary.api.stream.StreamValidation;
import io.tributary.controlplane.agent.StreamReportEntity;
import io.tributary.controlplane.assignment.AssignmentEntity;
import io.tributary.controlplane.assignment.Scheduler;
import io.tributary.controlplane.common.ApiException;
import io.tributary.controlplane.server.ServerEntity;
import io.tributary.controlplane.stream.StreamEntity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;

/**
 * Answers an agent's "who captures stream S?" (restreaming). Asking for an on-demand stream is
 * demand: it is recorded, and the scheduler places the stream at once when it is not placed.
 */
@ApplicationScoped
public class SourceService {
    private final ObjectMapper json;
    private final DemandService demand;
    private final Scheduler scheduler;
    private final Clock clock;

    public SourceService(ObjectMapper json, DemandService demand, Scheduler scheduler, Clock clock) {
        this.json = json;
        this.demand = demand;
        this.scheduler = scheduler;
        this.clock = clock;
    }

    @Transactional
    public StreamSource lookup(String name) {
        if (name == null || StreamValidation.checkName(name) != null) {
            throw ApiException.notFound("stream '" + name + "' does not exist");
        }
        StreamEntity s = StreamEntity.findById(name);
        if (s == null) {
            StreamSource rung = rung(name);
            if (rung != null) {
                return rung;
            }
            throw ApiException.notFound("stream '" + name + "' does not exist");
        }
        if (s.disabled) {
            throw ApiException.notFound("stream '" + name + "' is disabled");
        }
        StreamConfig config;
        try {
            config = json.readValue(s.config, StreamConfig.class).withName(name).desired();
        } catch (Exception e) {
            throw ApiException.notFound("stream '" + name + "' has an unreadable stored config");
        }
        AssignmentEntity a = AssignmentEntity.findById(name);
        boolean placed = a != null && a.hostname != null;
        if (!s.isStatic) {
            demand.record(name, Instant.now(clock));
            if (!placed) {
                scheduler.wakeAfterCommit();
            }
        }
        if (!placed) {
            String reason = a != null && a.reason != null ? a.reason
                    : s.isStatic ? "not placed yet" : "on-demand stream is being placed";
            return new StreamSource(name, null, null, null, null, false, reason, config);
        }
        ServerEntity server = ServerEntity.findById(a.hostname);
        boolean up = server != null && ServerConfig.STATUS_UP.equals(server.status);
        String privateUrl = server == null ? null
                : server.privatePayloadUrl != null ? server.privatePayloadUrl : server.publicPayloadUrl;
        return new StreamSource(name, a.hostname, privateUrl, server == null ? null : server.publicPayloadUrl,
                a.generation, up && hasSegment(name, a), up ? null : "server " + a.hostname + " is down", config);
    }

    /**
     * A rung of a transcoded stream ({@code <name>/v<i>}, when no stream has that very name): the
     * parent's source, with a copy config (no transcoder, no DVR) named after the rung, so an edge
     * pulls {@code /<name>/v<i>/mpegts} from the transcoding server like a plain stream. Null when
     * the parent does not exist or has no such rung.
     */
    private StreamSource rung(String name) {
        java.util.regex.Matcher m = RUNG.matcher(name);
        if (!m.matches()) {
            return null;
        }
        StreamEntity parent = StreamEntity.findById(m.group(1));
        if (parent == null) {
            return null;
        }
        StreamSource ps = lookup(m.group(1));
        StreamConfig pc = ps.config();
        int index = Integer.parseInt(m.group(2));
        if (pc == null || pc.transcoder() == null || pc.transcoder().video() == null
                || pc.transcoder().video().size() < index) {
            return null;
        }
        StreamConfig rc = new StreamConfig(name, pc.title(), pc.inputs(), pc.isStatic(), pc.clientsTimeout(), null,
                null, null, null, pc.segmentDuration(), pc.segmentCount(), null, null, null);
        return new StreamSource(name, ps.hostname(), ps.privateUrl(), ps.publicUrl(), ps.generation(), ps.ready(),
                ps.reason(), rc);
    }

    /** How an agent names the rungs of a transcoded stream (its HTTP API serves {@code /<name>/v<i>/...}). */
    private static final java.util.regex.Pattern RUNG = java.util.regex.Pattern.compile("(.+)/v([1-9])");

    /** The owner reports this generation running with at least one finished segment. */
    private boolean hasSegment(String name, AssignmentEntity a) {
        StreamReportEntity r = StreamReportEntity.findById(new StreamReportEntity.Key(name, a.hostname));
        if (r == null || r.generation == null || r.generation != a.generation || r.report == null) {
            return false;
        }
        try {
            JsonNode n = json.readTree(r.report);
            return n.path("has_segment").asBoolean(false);
        } catch (Exception e) {
            return false;
        }
    }
}
