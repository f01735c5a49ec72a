package io.tributary.api.agent;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Where a stream's DVR archive lives: the ranges of every server holding a part of it (with the
 * server's private URL, so peers can fetch it), and the union of all ranges (UNIX seconds).
 * Answer of {@code GET /api/v1/streams/{name}/dvr} and of the agents' lookup.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DvrLocations(String name, List<List<Long>> ranges, Long bytes, List<Holder> servers) {

    /** One server's part of the archive, as it last reported it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Holder(
            String hostname,
            @JsonProperty("private_url") String privateUrl,
            String status,
            Long from,
            Long depth,
            List<List<Long>> ranges,
            Long bytes,
            String error,
            @JsonProperty("updated_at") Long updatedAt) {
    }
}
