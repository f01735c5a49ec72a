package io.tributary.api.stream;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** Cluster-ingest options of a stream: {@code capture_at} names a preferred server. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClusterIngest(@JsonProperty("capture_at") String captureAt) {
}
