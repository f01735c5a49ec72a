package io.tributary.api.stream;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** DVR settings: seconds kept, bytes kept per stream, optional root folder. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Dvr(Long expiration, @JsonProperty("storage_limit") Long storageLimit, String root) {
}
