package io.tributary.api.stream;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** One elementary track as probed from the input. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Track(
        @JsonProperty("track_id") String trackId,
        @JsonProperty("content") String content,
        String codec,
        Integer width,
        Integer height,
        Double fps,
        @JsonProperty("sample_rate") Integer sampleRate,
        Integer channels,
        Long bitrate) {
}
