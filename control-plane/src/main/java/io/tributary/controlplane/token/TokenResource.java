package io.tributary.controlplane.token;

import io.tributary.api.token.TokenInfo;
import io.tributary.api.token.TokenList;
import io.tributary.api.token.TokenRequest;
import io.tributary.controlplane.auth.TokenService;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** {@code /api/v1/tokens}: API tokens (admin only); the secret is shown once, on create. */
@Path("/api/v1/tokens")
@Produces(MediaType.APPLICATION_JSON)
public class TokenResource {
    private final TokenService tokens;

    public TokenResource(TokenService tokens) {
        this.tokens = tokens;
    }

    @GET
    public TokenList list() {
        return new TokenList(tokens.list());
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(TokenRequest request) {
        TokenInfo t = tokens.create(request == null ? null : request.name(), request == null ? null : request.role());
        return Response.status(201).entity(t).build();
    }

    @DELETE
    @Path("/{id}")
    public Response revoke(@PathParam("id") long id) {
        tokens.revoke(id);
        return Response.noContent().build();
    }
}
