package io.tributary.controlplane.configbackend;

import io.tributary.api.configbackend.ConfigBackendStreams;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Arrays;
import java.util.List;

/** Flussonic-compatible configuration backend: {@code GET /config-external/streams}. */
@Path("/config-external")
@Produces(MediaType.APPLICATION_JSON)
public class ConfigBackendResource {
    private final ConfigBackendService service;

    public ConfigBackendResource(ConfigBackendService service) {
        this.service = service;
    }

    @GET
    @Path("/streams")
    public Response streams(@QueryParam("host") String host, @QueryParam("name") String name,
            @QueryParam("cursor") String cursor, @QueryParam("limit") Integer limit,
            @HeaderParam("If-None-Match") String ifNoneMatch) {
        if (limit != null && (limit < 1 || limit > ConfigBackendService.PAGE_SIZE)) {
            throw io.tributary.controlplane.common.ApiException.invalid("limit",
                    "limit must be between 1 and " + ConfigBackendService.PAGE_SIZE + ", got " + limit);
        }
        List<String> names = name == null || name.isBlank() ? null
                : Arrays.stream(name.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        // The ETag is read before the page, so a change in between makes the next poll fetch again.
        String etag = service.etag(host, names);
        if (etag.equals(ifNoneMatch) && cursor == null) {
            return Response.notModified().header("ETag", etag).build();
        }
        ConfigBackendStreams page = service.streams(host, names, cursor,
                limit == null ? ConfigBackendService.PAGE_SIZE : limit);
        return Response.ok(page).header("ETag", etag).build();
    }
}
