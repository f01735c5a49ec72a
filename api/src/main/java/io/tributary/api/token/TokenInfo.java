package io.tributary.api.token;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/** An API token; the secret {@code token} is returned only once, when created. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TokenInfo(
        Long id,
        String name,
        String role,
        @JsonProperty("created_at") Instant createdAt,
        @JsonProperty("last_used_at") Instant lastUsedAt,
        String token) {
}
