package io.tributary.controlplane.stream;

import io.tributary.api.stream.StreamConfig;
import io.tributary.api.stream.StreamList;
import io.tributary.api.stream.StreamValidation;
import io.tributary.controlplane.common.ApiException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** {@code /api/v1/streams}: list, get, create-or-replace, delete, restart. */
@Path("/api/v1/streams")
@Produces(MediaType.APPLICATION_JSON)
public class StreamResource {
    private final StreamService service;

    public StreamResource(StreamService service) {
        this.service = service;
    }

    @GET
    public StreamList list(@QueryParam("limit") @DefaultValue("100") int limit, @QueryParam("cursor") String cursor,
            @QueryParam("q") String q) {
        return service.list(limit, cursor, q);
    }

    @GET
    @Path("/{name: .+}")
    public Response get(@PathParam("name") String name) {
        checkName(name);
        return withEtag(Response.ok(), service.get(name));
    }

    @PUT
    @Path("/{name: .+}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response put(@PathParam("name") String name, @HeaderParam("If-Match") String ifMatch,
            @HeaderParam("If-None-Match") String ifNoneMatch, StreamConfig body) {
        checkName(name);
        boolean createOnly = ifNoneMatch != null && ifNoneMatch.trim().equals("*");
        return withEtag(Response.ok(), service.put(name, body, ifMatch, createOnly));
    }

    @DELETE
    @Path("/{name: .+}")
    public Response delete(@PathParam("name") String name, @HeaderParam("If-Match") String ifMatch) {
        checkName(name);
        service.delete(name, ifMatch);
        return Response.noContent().build();
    }

    @POST
    @Path("/{name: .+}/restart")
    public Response restart(@PathParam("name") String name) {
        checkName(name);
        return withEtag(Response.ok(), service.restart(name));
    }

    private static void checkName(String name) {
        String err = StreamValidation.checkName(name);
        if (err != null) {
            throw ApiException.invalid("name", err);
        }
    }

    private static Response withEtag(Response.ResponseBuilder b, StreamService.Versioned v) {
        return b.entity(v.stream()).tag(new EntityTag(Long.toString(v.version()))).build();
    }
}
