package io.tributary.api.stream;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Audio settings of a transcoder: codec {@code aac} (default) or {@code copy}, bitrate in bits per second. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AudioTranscode(String codec, Long bitrate) {
}
