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
    private final io.tributary.controlplane.dvr.DvrService dvr;

    public StreamResource(StreamService service, io.tributary.controlplane.dvr.DvrService dvr) {
        this.service = service;
        this.dvr = dvr;
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
    public Response delete(@PathParam("name") String name, @HeaderParam("If-Match") String ifMatch,
            @QueryParam("dvr") boolean deleteArchive) {
        checkName(name);
        try {
            service.delete(name, ifMatch);
        } catch (ApiException e) {
            // ?dvr=true also deletes the archive of a stream deleted earlier without it
            if (!deleteArchive || e.status() != 404 || dvr.requestDelete(name) == 0) {
                throw e;
            }
            return Response.noContent().build();
        }
        if (deleteArchive) {
            dvr.requestDelete(name);
        }
        return Response.noContent().build();
    }

    /**
     * Where the stream's DVR archive lives: every holder's ranges and their union (404 when nothing
     * is recorded). A stream really named {@code .../dvr} without an archive under the shorter name
     * is still returned as itself.
     */
    @GET
    @Path("/{name: .+}/dvr")
    public Response dvr(@PathParam("name") String name) {
        checkName(name);
        io.tributary.api.agent.DvrLocations l = dvr.locations(name);
        if (l != null) {
            return Response.ok(l).build();
        }
        if (StreamValidation.checkName(name + "/dvr") == null) {
            try {
                return withEtag(Response.ok(), service.get(name + "/dvr"));
            } catch (ApiException e) {
                if (e.status() != 404) {
                    throw e;
                }
            }
        }
        throw ApiException.notFound("stream '" + name + "' has no DVR recording on any server");
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
