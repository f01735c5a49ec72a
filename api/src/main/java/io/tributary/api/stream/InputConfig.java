package io.tributary.api.stream;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** One source URL of a stream; lower {@code priority} numbers are preferred (1 is best). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record InputConfig(
        String url,
        Integer priority,
        @JsonProperty("source_timeout") Integer sourceTimeout) {

    public static final int DEFAULT_SOURCE_TIMEOUT = 3;

    public InputConfig(String url) {
        this(url, null, null);
    }

    public int effectiveSourceTimeout() {
        return sourceTimeout == null ? DEFAULT_SOURCE_TIMEOUT : sourceTimeout;
    }
}
