package io.tributary.api.server;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** Load of a server as its agent last reported it. {@code cpu_usage} is a percentage of all cores. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ServerStats(
        @JsonProperty("cpu_usage") Double cpuUsage,
        @JsonProperty("output_kbit") Long outputKbit,
        @JsonProperty("input_kbit") Long inputKbit,
        @JsonProperty("total_clients") Integer totalClients,
        @JsonProperty("online_streams") Integer onlineStreams,
        @JsonProperty("memory_bytes") Long memoryBytes) {
}
