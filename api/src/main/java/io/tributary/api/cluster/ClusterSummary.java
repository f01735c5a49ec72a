package io.tributary.api.cluster;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/** Counts of servers and streams by state. */
public record ClusterSummary(
        Map<String, Long> servers,
        Map<String, Long> streams,
        @JsonProperty("scheduler_leader") String schedulerLeader) {
}
