package io.tributary.api.configbackend;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tributary.api.stream.StreamConfig;
import java.util.List;

/** The answer of a Flussonic-compatible config backend to {@code GET /streams}. */
public record ConfigBackendStreams(
        List<StreamConfig> streams,
        String next,
        String prev,
        @JsonProperty("estimated_count") Long estimatedCount) {
}
