package io.tributary.api.stream;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Tributary's extension to a config-backend stream object: the generation the host runs the
 * stream for, and where its HLS media and discontinuity sequences continue after a move.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AssignmentInfo(
        Long generation,
        @JsonProperty("media_sequence") Long mediaSequence,
        @JsonProperty("discontinuity_sequence") Long discontinuitySequence,
        @JsonProperty("lease_ms") Long leaseMs) {
}
