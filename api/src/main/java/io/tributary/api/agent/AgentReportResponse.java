package io.tributary.api.agent;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The control plane's answer to a report: how often to report, how long a lease lasts, the
 * config backend's current ETag (poll when it differs), the streams the agent must stop now
 * because their generation is no longer its own (fencing), and the other servers of the cluster
 * (an agent cut off from the control plane asks them whether they still reach it), and the DVR
 * archives the agent must delete ({@code DELETE /api/v1/streams/{name}?dvr=true}), and where each
 * stream the agent reported in {@code pulls} is captured now ({@code sources}: placed streams only,
 * without {@code config}), so an edge follows a moved stream at its next report.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AgentReportResponse(
        @JsonProperty("report_interval_ms") Long reportIntervalMs,
        @JsonProperty("lease_ms") Long leaseMs,
        @JsonProperty("config_etag") String configEtag,
        List<String> stop,
        List<Peer> peers,
        @JsonProperty("dvr_delete") List<String> dvrDelete,
        List<StreamSource> sources) {

    public AgentReportResponse(Long reportIntervalMs, Long leaseMs, String configEtag, List<String> stop, List<Peer> peers) {
        this(reportIntervalMs, leaseMs, configEtag, stop, peers, null, null);
    }

    public AgentReportResponse(Long reportIntervalMs, Long leaseMs, String configEtag, List<String> stop, List<Peer> peers,
            List<String> dvrDelete) {
        this(reportIntervalMs, leaseMs, configEtag, stop, peers, dvrDelete, null);
    }

    /** Another server: where its agent answers (private URL) and whether it is up. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Peer(String hostname, @JsonProperty("private_url") String privateUrl, String status) {
    }
}
