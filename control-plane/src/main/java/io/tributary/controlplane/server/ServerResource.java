package io.tributary.controlplane.server;

import io.tributary.api.server.ServerConfig;
import io.tributary.api.server.ServerList;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** {@code /api/v1/servers}: the peers of the cluster, with drain and undrain. */
@Path("/api/v1/servers")
@Produces(MediaType.APPLICATION_JSON)
public class ServerResource {
    private final ServerService service;

    public ServerResource(ServerService service) {
        this.service = service;
    }

    @GET
    public ServerList list() {
        return new ServerList(service.list());
    }

    @GET
    @Path("/{hostname}")
    public ServerConfig get(@PathParam("hostname") String hostname) {
        return service.get(hostname);
    }

    @PUT
    @Path("/{hostname}")
    @Consumes(MediaType.APPLICATION_JSON)
    public ServerConfig put(@PathParam("hostname") String hostname, ServerConfig body) {
        return service.put(hostname, body);
    }

    @DELETE
    @Path("/{hostname}")
    public Response delete(@PathParam("hostname") String hostname) {
        service.delete(hostname);
        return Response.noContent().build();
    }

    @POST
    @Path("/{hostname}/drain")
    public ServerConfig drain(@PathParam("hostname") String hostname) {
        return service.drain(hostname, true);
    }

    @POST
    @Path("/{hostname}/undrain")
    public ServerConfig undrain(@PathParam("hostname") String hostname) {
        return service.drain(hostname, false);
    }
}
