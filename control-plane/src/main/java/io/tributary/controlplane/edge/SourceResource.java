package io.tributary.controlplane.edge;

import io.tributary.api.agent.StreamSource;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code GET /api/v1/agents/{hostname}/sources/{name}} (cluster key): where an agent that does
 * not capture a stream pulls it from. 404 when the stream does not exist or is disabled.
 */
@Path("/api/v1/agents/{hostname}/sources")
@Produces(MediaType.APPLICATION_JSON)
public class SourceResource {
    private final SourceService service;

    public SourceResource(SourceService service) {
        this.service = service;
    }

    @GET
    @Path("/{name: .+}")
    public StreamSource source(@PathParam("hostname") String hostname, @PathParam("name") String name) {
        return service.lookup(name);
    }
}
