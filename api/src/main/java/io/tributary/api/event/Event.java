package io.tributary.api.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * Something that happened in the cluster. Types: server_up, server_down, server_drain,
 * server_undrain, stream_created, stream_updated, stream_deleted, stream_restart, stream_assigned,
 * stream_waiting, capture_started, capture_stopped, failover.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Event(
        Long id,
        Instant time,
        String type,
        String stream,
        String server,
        Long generation,
        String message,
        @JsonProperty("duration_ms") Long durationMs) {
}
