package io.tributary.api.stream;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Tributary's extension to a config-backend stream object: the generation the host runs the
 * stream for, and where its HLS media and discontinuity sequences continue after a move. The old
 * owner of a hand-off (drain, fail-back) gets {@code last_media_sequence}: it lists segments up to
 * that number and no further, the new owner starts right after it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AssignmentInfo(
        Long generation,
        @JsonProperty("media_sequence") Long mediaSequence,
        @JsonProperty("discontinuity_sequence") Long discontinuitySequence,
        @JsonProperty("lease_ms") Long leaseMs,
        @JsonProperty("last_media_sequence") Long lastMediaSequence) {

    public AssignmentInfo(Long generation, Long mediaSequence, Long discontinuitySequence, Long leaseMs) {
        this(generation, mediaSequence, discontinuitySequence, leaseMs, null);
    }
}
