package io.tributary.controlplane.balancer;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * {@code GET|HEAD /lb/{name}/{file}}: 302 to the chosen server's public payload URL with the same
 * path and query; 404 for an unknown or disabled stream, 503 with Retry-After when no server can
 * take the viewer. A plain Vert.x route on the event loop: the decision is in memory, so a
 * redirect costs no thread hop and no database round trip.
 */
@ApplicationScoped
public class BalancerRoute {
    private static final String PREFIX = "/lb/";
    private final BalancerState state;

    public BalancerRoute(BalancerState state) {
        this.state = state;
    }

    void register(@Observes Router router) {
        router.route(HttpMethod.GET, PREFIX + "*").handler(this::handle);
        router.route(HttpMethod.HEAD, PREFIX + "*").handler(this::handle);
    }

    private void handle(RoutingContext ctx) {
        String path = ctx.request().path();
        String rest = path.substring(PREFIX.length());
        int slash = rest.lastIndexOf('/');
        if (slash <= 0 || slash == rest.length() - 1) {
            error(ctx, 404, "not_found", "balancer URLs look like /lb/{name}/{file}, e.g. /lb/cam1/index.m3u8");
            return;
        }
        String name = rest.substring(0, slash);
        String file = rest.substring(slash + 1);
        // No name check here: a name that is not a stream's (so not a valid one either) is not in
        // the balancer's view and gets the same 404 below, without a regex per request.
        if (file.contains("..") || file.indexOf('%') >= 0) {
            error(ctx, 404, "not_found", "stream '" + name + "' does not exist");
            return;
        }
        BalancerState.Decision d = state.decide(name);
        if (d instanceof BalancerState.Decision.Redirect r) {
            String query = ctx.request().query();
            String base = r.publicUrl().endsWith("/") ? r.publicUrl().substring(0, r.publicUrl().length() - 1) : r.publicUrl();
            ctx.response().setStatusCode(302)
                    .putHeader("Location", base + "/" + name + "/" + file + (query == null ? "" : "?" + query))
                    .putHeader("Cache-Control", "no-store")
                    .putHeader("Access-Control-Allow-Origin", "*")
                    .end();
        } else if (d instanceof BalancerState.Decision.Unknown u) {
            error(ctx, 404, "not_found", u.reason());
        } else {
            ctx.response().putHeader("Retry-After", "2");
            error(ctx, 503, "unavailable", ((BalancerState.Decision.Unavailable) d).reason());
        }
    }

    private static void error(RoutingContext ctx, int status, String code, String message) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .putHeader("Access-Control-Allow-Origin", "*")
                .end(new JsonObject().put("error", code).put("message", message).encode());
    }
}
