package io.tributary.controlplane.balancer;

import io.tributary.api.ApiError;
import io.tributary.api.stream.StreamValidation;
import io.smallrye.common.annotation.NonBlocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;

/**
 * {@code GET|HEAD /lb/{name}/{rest}}: 302 to the chosen server's public payload URL with the
 * same path and query; 404 for an unknown or disabled stream, 503 with Retry-After when no server
 * can take the viewer.
 */
@Path("/lb")
public class BalancerResource {
    private final BalancerState state;

    public BalancerResource(BalancerState state) {
        this.state = state;
    }

    // The decision is in memory: answer on the event loop, no worker-thread hop.
    @GET
    @NonBlocking
    @Path("/{path: .+}")
    public Response get(@PathParam("path") String path, @Context UriInfo uri) {
        return redirect(path, uri);
    }

    @HEAD
    @NonBlocking
    @Path("/{path: .+}")
    public Response head(@PathParam("path") String path, @Context UriInfo uri) {
        return redirect(path, uri);
    }

    private Response redirect(String path, UriInfo uri) {
        int slash = path.lastIndexOf('/');
        if (slash <= 0 || slash == path.length() - 1) {
            return error(404, "not_found", "balancer URLs look like /lb/{name}/{file}, e.g. /lb/cam1/index.m3u8");
        }
        String name = path.substring(0, slash);
        String rest = path.substring(slash + 1);
        if (StreamValidation.checkName(name) != null || rest.contains("..")) {
            return error(404, "not_found", "stream '" + name + "' does not exist");
        }
        BalancerState.Decision d = state.decide(name);
        if (d instanceof BalancerState.Decision.Redirect r) {
            String query = uri.getRequestUri().getRawQuery();
            String target = r.publicUrl().replaceAll("/+$", "") + "/" + name + "/" + rest + (query == null ? "" : "?" + query);
            return Response.status(302).location(URI.create(target)).header("Cache-Control", "no-store").build();
        }
        if (d instanceof BalancerState.Decision.Unknown u) {
            return error(404, "not_found", u.reason());
        }
        return Response.status(503).header("Retry-After", "2")
                .entity(ApiError.of("unavailable", ((BalancerState.Decision.Unavailable) d).reason()))
                .type("application/json").build();
    }

    private static Response error(int status, String code, String message) {
        return Response.status(status).entity(ApiError.of(code, message)).type("application/json").build();
    }
}
