package io.tributary.api.stream;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Read-only status of a stream, derived from assignments (desired) and agent reports
 * (observed). {@code status} is one of running, starting, waiting, error, stopped.
 * {@code pulled_by} lists the edges restreaming it (not captures: never in {@code running_on}).
 * {@code dvr_error} is the recording error of the stream's DVR archive on its capturing server
 * (e.g. {@code dvr_disk_full: ...}) while recording fails; live playback goes on meanwhile.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StreamStats(
        String status,
        Boolean alive,
        @JsonProperty("running_on") List<String> runningOn,
        @JsonProperty("assigned_to") String assignedTo,
        Long generation,
        Long bitrate,
        Long lifetime,
        @JsonProperty("online_clients") Integer onlineClients,
        @JsonProperty("media_info") MediaInfo mediaInfo,
        @JsonProperty("last_error") String lastError,
        @JsonProperty("waiting_reason") String waitingReason,
        @JsonProperty("pulled_by") List<Pull> pulledBy,
        @JsonProperty("dvr_error") String dvrError) {

    public StreamStats(String status, Boolean alive, List<String> runningOn, String assignedTo, Long generation,
            Long bitrate, Long lifetime, Integer onlineClients, MediaInfo mediaInfo, String lastError,
            String waitingReason) {
        this(status, alive, runningOn, assignedTo, generation, bitrate, lifetime, onlineClients, mediaInfo, lastError,
                waitingReason, null, null);
    }

    public StreamStats(String status, Boolean alive, List<String> runningOn, String assignedTo, Long generation,
            Long bitrate, Long lifetime, Integer onlineClients, MediaInfo mediaInfo, String lastError,
            String waitingReason, List<Pull> pulledBy) {
        this(status, alive, runningOn, assignedTo, generation, bitrate, lifetime, onlineClients, mediaInfo, lastError,
                waitingReason, pulledBy, null);
    }

    /** The same stats with the edges that restream the stream (null or empty: none). */
    public StreamStats withPulledBy(List<Pull> pulls) {
        return new StreamStats(status, alive, runningOn, assignedTo, generation, bitrate, lifetime, onlineClients,
                mediaInfo, lastError, waitingReason, pulls == null || pulls.isEmpty() ? null : pulls, dvrError);
    }

    /** The same stats with the DVR recording error of the capturing server (null: recording works or no DVR). */
    public StreamStats withDvrError(String error) {
        return new StreamStats(status, alive, runningOn, assignedTo, generation, bitrate, lifetime, onlineClients,
                mediaInfo, lastError, waitingReason, pulledBy, error);
    }

    /**
     * One edge pulling the stream from its capturing server: its status and error (a source that
     * refuses shows here), its viewers, and the URL it pulls from.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Pull(String hostname, String status, @JsonProperty("last_error") String lastError,
            @JsonProperty("online_clients") Integer onlineClients, String source) {
    }
}
