package io.tributary.api.stream;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Read-only status of a stream, derived from assignments (desired) and agent reports
 * (observed). {@code status} is one of running, starting, waiting, error, stopped.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StreamStats(
        String status,
        Boolean alive,
        @JsonProperty("running_on") List<String> runningOn,
        @JsonProperty("assigned_to") String assignedTo,
        Long generation,
        Long bitrate,
        Long lifetime,
        @JsonProperty("online_clients") Integer onlineClients,
        @JsonProperty("media_info") MediaInfo mediaInfo,
        @JsonProperty("last_error") String lastError,
        @JsonProperty("waiting_reason") String waitingReason) {
}
