package io.tributary.api.agent;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tributary.api.stream.StreamConfig;

/**
 * The answer to {@code GET /api/v1/agents/{hostname}/sources/{name}}: which server captures a
 * stream (its private URL, for pulls between servers, and its public URL, for redirects), for
 * which generation, and whether that capture already has a segment ({@code ready}). While the
 * stream is not placed yet (an on-demand stream that was just asked for) {@code hostname} is null
 * and {@code reason} says why. {@code config} is the stream's desired config.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StreamSource(
        String name,
        String hostname,
        @JsonProperty("private_url") String privateUrl,
        @JsonProperty("public_url") String publicUrl,
        Long generation,
        Boolean ready,
        String reason,
        StreamConfig config) {

    /** True when a pull can start: placed, and the capture has a segment. */
    public boolean pullable() {
        return hostname != null && Boolean.TRUE.equals(ready);
    }
}
