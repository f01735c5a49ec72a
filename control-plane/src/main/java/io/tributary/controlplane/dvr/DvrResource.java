package io.tributary.controlplane.dvr;

import io.tributary.api.agent.DvrLocations;
import io.tributary.api.stream.StreamValidation;
import io.tributary.controlplane.common.ApiException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code GET /api/v1/agents/{hostname}/dvr?stream=NAME} (cluster key): where a stream's DVR
 * archive lives, so any agent can serve it by fetching the parts it does not hold.
 */
@Path("/api/v1/agents/{hostname}/dvr")
@Produces(MediaType.APPLICATION_JSON)
public class DvrResource {
    private final DvrService service;

    public DvrResource(DvrService service) {
        this.service = service;
    }

    @GET
    public DvrLocations lookup(@PathParam("hostname") String hostname, @QueryParam("stream") String stream) {
        String err = stream == null ? "the query parameter stream is required" : StreamValidation.checkName(stream);
        if (err != null) {
            throw ApiException.invalid("stream", err);
        }
        DvrLocations l = service.locations(stream);
        return l != null ? l : new DvrLocations(stream, java.util.List.of(), 0L, java.util.List.of());
    }
}
