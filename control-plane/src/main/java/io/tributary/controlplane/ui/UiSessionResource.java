package io.tributary.controlplane.ui;

import io.tributary.api.ApiError;
import io.tributary.controlplane.auth.AuthFilter;
import io.tributary.controlplane.auth.Role;
import io.tributary.controlplane.auth.TokenService;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.regex.Pattern;
import java.util.Optional;

/**
 * {@code /ui/session}: the admin UI's sign-in. It turns an API token into the HttpOnly session
 * cookie that {@link AuthFilter} accepts together with the {@code X-Tributary-UI} header, so
 * the token never sits in a URL or in script-readable storage.
 */
@Path("/ui/session")
@Produces(MediaType.APPLICATION_JSON)
public class UiSessionResource {
    static final String UI_HEADER = "X-Tributary-UI";
    /** RFC 6265 cookie-octets: a token outside them could not be carried in the cookie safely. */
    private static final Pattern COOKIE_SAFE = Pattern.compile("[\\x21\\x23-\\x2B\\x2D-\\x3A\\x3C-\\x5B\\x5D-\\x7E]{1,512}");

    private final TokenService tokens;

    public UiSessionResource(TokenService tokens) {
        this.tokens = tokens;
    }

    /** The body of a sign-in: the API token. */
    public record SignIn(String token) {
    }

    /** Who the session is: {@code role} is admin or viewer when signed in. */
    public record Session(boolean authenticated, String role) {
    }

    @GET
    public Response get(@HeaderParam(UI_HEADER) String ui, @CookieParam(AuthFilter.SESSION_COOKIE) String cookie) {
        if (ui == null) {
            return missingHeader();
        }
        // Always 200: "not signed in" is an answer here, not an error, so the UI can ask freely.
        Optional<Role> role = personRole(cookie);
        return noStore(Response.ok(new Session(role.isPresent(), role.map(Role::wireName).orElse(null)))).build();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response signIn(@HeaderParam(UI_HEADER) String ui, @Context UriInfo uri, SignIn body) {
        // The header cannot be sent by a cross-site form, which stops login CSRF.
        if (ui == null) {
            return missingHeader();
        }
        String token = body == null || body.token() == null ? "" : body.token().trim();
        if (token.isEmpty()) {
            return error(400, "invalid", "token is required", "token");
        }
        Optional<Role> role = COOKIE_SAFE.matcher(token).matches() ? personRole(token) : Optional.empty();
        if (role.isEmpty()) {
            return error(401, "unauthorized", "this token is not a valid API token (admin or viewer)", "token");
        }
        return noStore(Response.ok(new Session(true, role.get().wireName())))
                .header("Set-Cookie", cookie(token, uri, false)).build();
    }

    @DELETE
    public Response signOut(@HeaderParam(UI_HEADER) String ui, @Context UriInfo uri) {
        if (ui == null) {
            return missingHeader();
        }
        return noStore(Response.ok(new Session(false, null))).header("Set-Cookie", cookie("", uri, true)).build();
    }

    /** Only people's tokens open a UI session; the cluster key is for agents. */
    private Optional<Role> personRole(String secret) {
        return tokens.authenticate(secret).filter(r -> r == Role.ADMIN || r == Role.VIEWER);
    }

    private static String cookie(String value, UriInfo uri, boolean expire) {
        StringBuilder sb = new StringBuilder(AuthFilter.SESSION_COOKIE).append('=').append(value)
                .append("; Path=/; HttpOnly; SameSite=Strict");
        if ("https".equalsIgnoreCase(uri.getRequestUri().getScheme())) {
            sb.append("; Secure");
        }
        if (expire) {
            sb.append("; Max-Age=0");
        }
        return sb.toString();
    }

    private static Response.ResponseBuilder noStore(Response.ResponseBuilder b) {
        CacheControl cc = new CacheControl();
        cc.setNoStore(true);
        return b.cacheControl(cc);
    }

    private static Response missingHeader() {
        return error(400, "invalid", "the UI session endpoints need the header " + UI_HEADER + ": 1", null);
    }

    private static Response error(int status, String code, String message, String field) {
        return Response.status(status).entity(new ApiError(code, message, field)).type(MediaType.APPLICATION_JSON).build();
    }
}
