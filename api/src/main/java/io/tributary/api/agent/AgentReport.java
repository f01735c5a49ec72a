package io.tributary.api.agent;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tributary.api.server.ServerStats;
import java.util.List;

/**
 * The body of {@code PUT /api/v1/agents/{hostname}}: the agent registers itself (its URLs, roles
 * and limits as configured on its machine) and reports its load and every stream it runs, and
 * ({@code dvr}) every DVR archive it holds, running or not.
 * {@code pulls} are the streams it restreams as an edge (pulled from the server that captures
 * them; {@code active_input} is the source URL, {@code generation} is null): they are not
 * captures and never count as one.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AgentReport(
        @JsonProperty("api_url") String apiUrl,
        @JsonProperty("public_payload_url") String publicPayloadUrl,
        @JsonProperty("private_payload_url") String privatePayloadUrl,
        List<String> roles,
        String group,
        @JsonProperty("channel_limit") Integer channelLimit,
        @JsonProperty("max_bitrate") Long maxBitrate,
        String version,
        @JsonProperty("started_at") Long startedAt,
        ServerStats stats,
        List<StreamReport> streams,
        @JsonProperty("config_external_error") ConfigExternalError configExternalError,
        List<StreamReport> pulls,
        List<DvrStatus> dvr) {

    /** A report without edge pulls or DVR archives. */
    public AgentReport(String apiUrl, String publicPayloadUrl, String privatePayloadUrl, List<String> roles, String group,
            Integer channelLimit, Long maxBitrate, String version, Long startedAt, ServerStats stats,
            List<StreamReport> streams, ConfigExternalError configExternalError) {
        this(apiUrl, publicPayloadUrl, privatePayloadUrl, roles, group, channelLimit, maxBitrate, version, startedAt,
                stats, streams, configExternalError, null, null);
    }

    /**
     * Why the agent's last poll of its config backend failed ({@code reason}: network_error,
     * malformed_json or validation_error); the agent keeps running its last good config meanwhile.
     * {@code since} is when the failures began (UNIX ms). Absent while the backend answers well.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ConfigExternalError(String reason, String detail, Long since) {
    }
}
