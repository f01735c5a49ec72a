package io.tributary.controlplane.balancer;

import io.tributary.api.balancer.BalancerSettings;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** {@code /api/v1/balancer}: managed balancing (mode, weights, pins, overrides). */
@Path("/api/v1/balancer")
@Produces(MediaType.APPLICATION_JSON)
public class BalancerSettingsResource {
    private final BalancerSettingsService service;
    private final BalancerState state;

    public BalancerSettingsResource(BalancerSettingsService service, BalancerState state) {
        this.service = service;
        this.state = state;
    }

    @GET
    public Response get() {
        BalancerSettingsService.Versioned v = service.get();
        return Response.ok(v.settings()).tag(new EntityTag(Long.toString(v.version()))).build();
    }

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    public Response put(@HeaderParam("If-Match") String ifMatch, BalancerSettings body) {
        Long expected = io.tributary.controlplane.common.IfMatch.version(ifMatch);
        BalancerSettingsService.Versioned v = service.put(body, expected);
        state.refreshSoon();
        return Response.ok(v.settings()).tag(new EntityTag(Long.toString(v.version()))).build();
    }
}
