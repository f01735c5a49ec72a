package io.tributary.controlplane.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.api.agent.AgentReport;
import io.tributary.api.server.ServerConfig;
import io.tributary.api.server.ServerStats;
import io.tributary.api.stream.StreamValidation;
import io.tributary.controlplane.agent.ServerReportEntity;
import io.tributary.controlplane.assignment.Scheduler;
import io.tributary.controlplane.common.ApiException;
import io.tributary.controlplane.configbackend.ConfigEpoch;
import io.tributary.controlplane.event.EventService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Servers of the cluster: operator settings, drain, and the view that joins the agents' reports. */
@ApplicationScoped
public class ServerService {
    private static final Set<String> ROLES = Set.of(ServerConfig.ROLE_INGEST, ServerConfig.ROLE_EDGE);

    private final EventService events;
    private final ConfigEpoch epoch;
    private final ObjectMapper json;
    private final Scheduler scheduler;
    private final Clock clock;

    public ServerService(EventService events, ConfigEpoch epoch, ObjectMapper json, Scheduler scheduler, Clock clock) {
        this.scheduler = scheduler;
        this.events = events;
        this.epoch = epoch;
        this.json = json;
        this.clock = clock;
    }

    @Transactional
    public List<ServerConfig> list() {
        Map<String, ServerReportEntity> reports = new HashMap<>();
        for (ServerReportEntity r : ServerReportEntity.<ServerReportEntity>listAll()) {
            reports.put(r.hostname, r);
        }
        List<ServerConfig> out = new ArrayList<>();
        for (ServerEntity s : ServerEntity.<ServerEntity>list("order by hostname")) {
            out.add(view(s, reports.get(s.hostname)));
        }
        return out;
    }

    @Transactional
    public ServerConfig get(String hostname) {
        ServerEntity s = find(hostname);
        return view(s, ServerReportEntity.findById(hostname));
    }

    @Transactional
    public ServerConfig put(String hostname, ServerConfig body) {
        epoch.lockForChange();
        if (!StreamValidation.isValidHostname(hostname)) {
            throw ApiException.invalid("hostname", "hostname '" + hostname + "' is not a valid hostname");
        }
        if (body == null) {
            throw ApiException.invalid(null, "the body must be a server object");
        }
        if (body.hostname() != null && !body.hostname().equals(hostname)) {
            throw ApiException.invalid("hostname", "hostname '" + body.hostname() + "' in the body differs from '"
                    + hostname + "' in the URL");
        }
        url("api_url", body.apiUrl());
        url("public_payload_url", body.publicPayloadUrl());
        url("private_payload_url", body.privatePayloadUrl());
        String roles = roles(body.roles());
        if (body.group() != null && !body.group().matches("[A-Za-z0-9._-]{1,128}")) {
            throw ApiException.invalid("group", "group may use letters, digits, '.', '-', '_' (1 to 128)");
        }
        if (body.channelLimit() != null && (body.channelLimit() < 0 || body.channelLimit() > 100_000)) {
            throw ApiException.invalid("channel_limit", "channel_limit must be between 0 and 100000, got " + body.channelLimit());
        }
        if (body.maxBitrate() != null && body.maxBitrate() < 0) {
            throw ApiException.invalid("max_bitrate", "max_bitrate must be 0 or more, got " + body.maxBitrate());
        }
        ServerEntity s = ServerEntity.findById(hostname);
        boolean created = s == null;
        if (created) {
            s = new ServerEntity();
            s.hostname = hostname;
            s.status = ServerConfig.STATUS_DOWN;
            s.statusChangedAt = Instant.now(clock);
            s.createdAt = s.statusChangedAt;
        }
        s.apiUrl = body.apiUrl();
        s.publicPayloadUrl = body.publicPayloadUrl();
        s.privatePayloadUrl = body.privatePayloadUrl();
        s.roles = roles == null ? (created ? "ingest,edge" : s.roles) : roles;
        s.groupName = body.group() == null ? (created ? "default" : s.groupName) : body.group();
        s.channelLimit = body.channelLimit();
        s.maxBitrate = body.maxBitrate();
        s.version++;
        if (created) {
            s.persist();
        }
        events.record(created ? "server_created" : "server_updated", null, hostname, null, "server settings written", null);
        epoch.bump();
        return view(s, ServerReportEntity.findById(hostname));
    }

    @Transactional
    public void delete(String hostname) {
        epoch.lockForChange();
        ServerEntity s = find(hostname);
        s.delete();
        events.record("server_deleted", null, hostname, null, "server removed; its streams will be placed elsewhere", null);
        epoch.bump();
    }

    @Transactional
    public ServerConfig drain(String hostname, boolean drain) {
        epoch.lockForChange();
        ServerEntity s = find(hostname);
        if (s.draining != drain) {
            s.draining = drain;
            s.version++;
            events.record(drain ? "server_drain" : "server_undrain", null, hostname, null,
                    drain ? "drain: captures move off without a gap" : "server is eligible again", null);
            epoch.bump();
            scheduler.wakeAfterCommit();
        }
        return view(s, ServerReportEntity.findById(hostname));
    }

    private static ServerEntity find(String hostname) {
        ServerEntity s = ServerEntity.findById(hostname);
        if (s == null) {
            throw ApiException.notFound("server '" + hostname + "' does not exist");
        }
        return s;
    }

    private ServerConfig view(ServerEntity s, ServerReportEntity r) {
        ServerStats stats = null;
        AgentReport.ConfigExternalError configError = null;
        if (r != null) {
            try {
                stats = r.stats == null ? null : json.readValue(r.stats, ServerStats.class);
                configError = r.configExternalError == null ? null
                        : json.readValue(r.configExternalError, AgentReport.ConfigExternalError.class);
            } catch (Exception e) {
                stats = null;
            }
        }
        return new ServerConfig(s.hostname, s.apiUrl, s.publicPayloadUrl, s.privatePayloadUrl,
                Arrays.asList(s.roles.split(",")), s.groupName, s.channelLimit, s.maxBitrate, s.status,
                s.draining ? ServerConfig.DRAINING : ServerConfig.ELIGIBLE, r == null ? null : r.lastSeenAt, stats,
                configError);
    }

    private static void url(String field, String value) {
        if (value == null) {
            return;
        }
        try {
            URI u = new URI(value);
            if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
                throw ApiException.invalid(field, field + " must be an http or https URL with a host, got '" + value + "'");
            }
        } catch (java.net.URISyntaxException e) {
            throw ApiException.invalid(field, field + " is not a valid URL: " + e.getMessage());
        }
    }

    /** Roles as stored (comma-separated), or null when not given. */
    public static String roles(List<String> roles) {
        if (roles == null) {
            return null;
        }
        if (roles.isEmpty()) {
            throw ApiException.invalid("roles", "roles needs at least one of ingest, edge");
        }
        for (String r : roles) {
            if (!ROLES.contains(r)) {
                throw ApiException.invalid("roles", "role '" + r + "' is unknown; allowed: edge, ingest");
            }
        }
        return String.join(",", roles.stream().distinct().sorted().toList());
    }
}
