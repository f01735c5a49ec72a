package io.tributary.api.stream;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** A transcoding ladder: video rungs and one audio setting. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Transcoder(List<VideoRung> video, AudioTranscode audio) {
}
