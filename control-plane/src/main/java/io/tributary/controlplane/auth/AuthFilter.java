package io.tributary.controlplane.auth;

import io.tributary.api.ApiError;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Bearer authentication and role checks. Agents use the cluster key on /api/v1/agents and the
 * config backend; people use API tokens (header, or the UI's HttpOnly session cookie together
 * with the X-Tributary-UI header, which a cross-site form cannot send). Reads need viewer,
 * writes need admin, tokens need admin.
 */
public class AuthFilter {
    public static final String SESSION_COOKIE = "tributary_session";
    public static final String ROLE_PROPERTY = "tributary.role";

    private final TokenService tokens;

    public AuthFilter(TokenService tokens) {
        this.tokens = tokens;
    }

    @ServerRequestFilter
    public Optional<Response> authenticate(ContainerRequestContext ctx) {
        String path = ctx.getUriInfo().getPath();
        boolean agentPath = path.startsWith("/api/v1/agents");
        boolean apiPath = path.startsWith("/api/v1/");
        boolean configBackend = path.startsWith("/config-external");
        if (!apiPath && !configBackend) {
            return Optional.empty();
        }
        Optional<Role> role = tokens.authenticate(secret(ctx));
        if (role.isEmpty()) {
            return Optional.of(error(401, "unauthorized", "a valid bearer token is required"));
        }
        Role r = role.get();
        ctx.setProperty(ROLE_PROPERTY, r);
        if (agentPath) {
            return r == Role.AGENT ? Optional.empty()
                    : Optional.of(error(403, "forbidden", "agent reports need the cluster key"));
        }
        if (configBackend) {
            return Optional.empty();
        }
        if (r == Role.AGENT) {
            return Optional.of(error(403, "forbidden", "the cluster key gives access to agent endpoints only"));
        }
        boolean write = !ctx.getMethod().equals("GET") && !ctx.getMethod().equals("HEAD");
        if ((write || path.startsWith("/api/v1/tokens")) && r != Role.ADMIN) {
            return Optional.of(error(403, "forbidden", "this needs the admin role; your token has the viewer role"));
        }
        return Optional.empty();
    }

    private static String secret(ContainerRequestContext ctx) {
        String header = ctx.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return header.substring(7).trim();
        }
        Cookie session = ctx.getCookies().get(SESSION_COOKIE);
        if (session != null && ctx.getHeaderString("X-Tributary-UI") != null) {
            return session.getValue();
        }
        return null;
    }

    private static Response error(int status, String code, String message) {
        return Response.status(status).entity(ApiError.of(code, message)).type("application/json").build();
    }
}
