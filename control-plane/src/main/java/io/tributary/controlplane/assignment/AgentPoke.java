package io.tributary.controlplane.assignment;

import io.tributary.controlplane.auth.TokenService;
import io.tributary.controlplane.common.AfterCommit;
import io.tributary.controlplane.server.ServerEntity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.TransactionSynchronizationRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Tells the agents a plan concerns to report and poll their config now ({@code POST
 * /cluster/poke} with the cluster key), once the plan has committed, so a new owner starts its
 * capture without waiting for its next report. Best effort: an agent that misses the poke learns
 * at its next report as before.
 */
@ApplicationScoped
public class AgentPoke {
    private static final Logger LOG = Logger.getLogger(AgentPoke.class);
    private static final Duration TIMEOUT = Duration.ofMillis(1000);

    private final TransactionSynchronizationRegistry transactions;
    private final TokenService tokens;
    /**
     * Vert.x's client, not java.net.http: HttpClient.sendAsync completes every request on the
     * common pool, which on a 2-core machine is a new thread per request (thousands a minute when
     * a dead server's streams move to every other server).
     */
    private final HttpClient http;

    public AgentPoke(TransactionSynchronizationRegistry transactions, TokenService tokens, Vertx vertx) {
        this.transactions = transactions;
        this.tokens = tokens;
        this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(500).setMaxPoolSize(2)
                .setKeepAlive(true));
    }

    /** In the plan's transaction: after it commits, pokes every up server that gains or hands off a stream. */
    public void afterCommit(List<Placement.Decision> plan) {
        Map<String, String> urls = new LinkedHashMap<>();
        for (Placement.Decision d : plan) {
            add(urls, d.to());
            if (d.action() == Placement.Action.HANDOFF || d.action() == Placement.Action.STOP) {
                add(urls, d.from());
            }
        }
        if (urls.isEmpty()) {
            return;
        }
        AfterCommit.run(transactions, () -> urls.forEach(this::poke));
    }

    private static void add(Map<String, String> urls, String host) {
        if (host == null || urls.containsKey(host)) {
            return;
        }
        ServerEntity s = ServerEntity.findById(host);
        if (s == null || !"up".equals(s.status)) {
            return;
        }
        String url = s.apiUrl != null ? s.apiUrl : s.privatePayloadUrl != null ? s.privatePayloadUrl : s.publicPayloadUrl;
        if (url != null) {
            urls.put(host, url);
        }
    }

    private void poke(String host, String url) {
        RequestOptions req;
        try {
            req = new RequestOptions().setMethod(HttpMethod.POST)
                    .setAbsoluteURI((url.endsWith("/") ? url.substring(0, url.length() - 1) : url) + "/cluster/poke")
                    .setIdleTimeout(TIMEOUT.toMillis()).putHeader("Authorization", "Bearer " + tokens.clusterKey());
        } catch (RuntimeException e) {
            return; // not a URL: the agent learns at its next report
        }
        http.request(req).compose(r -> r.send()).compose(resp -> resp.body().map(b -> resp.statusCode()))
                .onComplete(ar -> {
                    if (ar.failed() || ar.result() / 100 != 2) {
                        LOG.debugf("host=%s: poke of %s failed (%s); it learns at its next report", host, url,
                                ar.failed() ? ar.cause().toString() : "HTTP " + ar.result());
                    }
                });
    }
}
