package io.tributary.api.balancer;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * Managed viewer balancing, for the whole cluster: the load measure ({@code mode}: usage,
 * clients, bitrate or streams), per-server {@code weights} (a weight of 2 takes twice the load),
 * per-stream and per-stream-group rules, keyed by stream name and by the stream's
 * {@code labels.group}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BalancerSettings(
        String mode,
        Map<String, Double> weights,
        Map<String, Rule> streams,
        Map<String, Rule> groups) {

    /**
     * A rule: {@code servers} pins viewers to those servers (still only up, non-draining edges,
     * balanced among them); with {@code override} true they go to those servers even without the
     * edge role or while draining (only up ones). {@code mode} overrides the cluster's mode.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Rule(List<String> servers, Boolean override, String mode) {
    }
}
