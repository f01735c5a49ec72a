package io.tributary.api.stream;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * A stream as the API and the config backend carry it. Field names follow Flussonic's API v3.
 * {@code stats} is read-only (ignored on PUT); {@code assignment} appears only in config-backend
 * answers.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StreamConfig(
        String name,
        String title,
        List<InputConfig> inputs,
        @JsonProperty("static") Boolean isStatic,
        @JsonProperty("clients_timeout") Integer clientsTimeout,
        Boolean disabled,
        @JsonProperty("cluster_ingest") ClusterIngest clusterIngest,
        Transcoder transcoder,
        Dvr dvr,
        @JsonProperty("segment_duration") Integer segmentDuration,
        @JsonProperty("segment_count") Integer segmentCount,
        Map<String, String> labels,
        StreamStats stats,
        AssignmentInfo assignment) {

    public static final int DEFAULT_SEGMENT_DURATION_MS = 2000;
    public static final int DEFAULT_SEGMENT_COUNT = 6;
    public static final int DEFAULT_CLIENTS_TIMEOUT = 30;

    @JsonIgnore
    public boolean staticOrDefault() {
        return isStatic == null || isStatic;
    }

    @JsonIgnore
    public boolean disabledOrDefault() {
        return disabled != null && disabled;
    }

    @JsonIgnore
    public int segmentDurationOrDefault() {
        return segmentDuration == null ? DEFAULT_SEGMENT_DURATION_MS : segmentDuration;
    }

    @JsonIgnore
    public int segmentCountOrDefault() {
        return segmentCount == null ? DEFAULT_SEGMENT_COUNT : segmentCount;
    }

    @JsonIgnore
    public int clientsTimeoutOrDefault() {
        return clientsTimeout == null ? DEFAULT_CLIENTS_TIMEOUT : clientsTimeout;
    }

    /** The same config with other read-only parts. */
    public StreamConfig withStatus(StreamStats newStats, AssignmentInfo newAssignment) {
        return new StreamConfig(name, title, inputs, isStatic, clientsTimeout, disabled, clusterIngest,
                transcoder, dvr, segmentDuration, segmentCount, labels, newStats, newAssignment);
    }

    /** The same config under another name (the URL's name wins over the body's). */
    public StreamConfig withName(String newName) {
        return new StreamConfig(newName, title, inputs, isStatic, clientsTimeout, disabled, clusterIngest,
                transcoder, dvr, segmentDuration, segmentCount, labels, stats, assignment);
    }

    /** The desired part only: what an operator wrote, without stats or assignment. */
    public StreamConfig desired() {
        return withStatus(null, null);
    }
}
