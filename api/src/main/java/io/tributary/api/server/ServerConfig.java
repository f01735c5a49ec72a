package io.tributary.api.server;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/**
 * A server (peer) of the cluster. Operators write hostname, URLs, roles, group and limits;
 * {@code status}, {@code schedulable}, {@code last_seen_at}, {@code stats} and
 * {@code config_external_error} (the agent's last failure to read its config backend) are read-only.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ServerConfig(
        String hostname,
        @JsonProperty("api_url") String apiUrl,
        @JsonProperty("public_payload_url") String publicPayloadUrl,
        @JsonProperty("private_payload_url") String privatePayloadUrl,
        List<String> roles,
        String group,
        @JsonProperty("channel_limit") Integer channelLimit,
        @JsonProperty("max_bitrate") Long maxBitrate,
        String status,
        String schedulable,
        @JsonProperty("last_seen_at") Instant lastSeenAt,
        ServerStats stats,
        @JsonProperty("config_external_error") io.tributary.api.agent.AgentReport.ConfigExternalError configExternalError) {

    public static final String ROLE_INGEST = "ingest";
    public static final String ROLE_EDGE = "edge";
    public static final String STATUS_UP = "up";
    public static final String STATUS_DOWN = "down";
    public static final String ELIGIBLE = "eligible";
    public static final String DRAINING = "draining";
}
