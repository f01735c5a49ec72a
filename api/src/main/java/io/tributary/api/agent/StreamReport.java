package io.tributary.api.agent;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tributary.api.stream.MediaInfo;

/**
 * What an agent observes of one stream it runs. {@code status} is running, starting, error or
 * waiting; bitrates are bits per second; {@code lifetime} and {@code last_frame_age} are ms.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StreamReport(
        String name,
        Long generation,
        String status,
        @JsonProperty("bitrate_in") Long bitrateIn,
        @JsonProperty("bitrate_out") Long bitrateOut,
        Long lifetime,
        @JsonProperty("last_frame_age") Long lastFrameAge,
        @JsonProperty("media_info") MediaInfo mediaInfo,
        @JsonProperty("last_error") String lastError,
        @JsonProperty("online_clients") Integer onlineClients,
        @JsonProperty("media_sequence") Long mediaSequence,
        @JsonProperty("discontinuity_sequence") Long discontinuitySequence,
        @JsonProperty("active_input") String activeInput,
        @JsonProperty("has_segment") Boolean hasSegment) {
}
