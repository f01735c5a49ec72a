package io.tributary.api.stream;

import com.fasterxml.jackson.annotation.JsonInclude;

/** One rung of a transcoding ladder (bitrate in bits per second). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VideoRung(Long bitrate, Size size, String preset, Integer gop, String codec, Double fps) {
}
