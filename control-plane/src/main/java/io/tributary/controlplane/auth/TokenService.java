package io.tributary.controlplane.auth;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import io.tributary.api.token.TokenInfo;
import io.tributary.controlplane.common.ApiException;
import io.tributary.controlplane.common.TributaryConfig;
import io.tributary.controlplane.event.EventService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * API tokens (stored hashed) and the cluster key. Lookups are cached for a few seconds so a
 * request does not cost a database round trip; a revoke on this replica takes effect at once.
 */
@ApplicationScoped
public class TokenService {
    private static final Logger LOG = Logger.getLogger(TokenService.class);
    private static final long CACHE_MS = 5_000;

    private final TributaryConfig config;
    private final EventService events;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private volatile String clusterKey;

    private record Cached(Role role, String name, long until) {
    }

    public TokenService(TributaryConfig config, EventService events, Clock clock) {
        this.config = config;
        this.events = events;
        this.clock = clock;
    }

    @Transactional
    void onStart(@Observes StartupEvent ev) {
        clusterKey = config.clusterKey().filter(s -> !s.isBlank()).orElseGet(() -> {
            String key = Secrets.generate("trk_");
            LOG.warnf("TRIBUTARY_CLUSTER_KEY is not set; generated cluster key for this run: %s", key);
            return key;
        });
        Optional<String> configured = config.adminToken().filter(s -> !s.isBlank());
        if (configured.isPresent()) {
            String hash = Secrets.sha256(configured.get());
            if (ApiTokenEntity.count("tokenHash", hash) == 0) {
                insert("bootstrap-admin", Role.ADMIN, hash);
                LOG.info("stored the admin token from TRIBUTARY_ADMIN_TOKEN");
            }
        } else if (ApiTokenEntity.count("role = ?1 and revokedAt is null", "admin") == 0) {
            String secret = Secrets.generate("trb_");
            insert("bootstrap-admin", Role.ADMIN, Secrets.sha256(secret));
            LOG.warnf("no admin token existed; generated one (shown only this once): %s", secret);
        }
    }

    public String clusterKey() {
        return clusterKey;
    }

    /** The role of a bearer secret: the cluster key is AGENT, tokens have theirs. */
    public Optional<Role> authenticate(String secret) {
        if (secret == null || secret.isEmpty()) {
            return Optional.empty();
        }
        if (Secrets.constantTimeEquals(secret, clusterKey)) {
            return Optional.of(Role.AGENT);
        }
        String hash = Secrets.sha256(secret);
        long now = clock.millis();
        Cached c = cache.get(hash);
        if (c != null && c.until > now) {
            return Optional.ofNullable(c.role);
        }
        // Its own transaction (a call to this bean's own @Transactional method would bypass the
        // interceptor): the lookup stamps last_used_at, at most once per cache period.
        Optional<Role> role = QuarkusTransaction.requiringNew().call(() -> lookup(hash));
        cache.put(hash, new Cached(role.orElse(null), null, now + CACHE_MS));
        return role;
    }

    private Optional<Role> lookup(String hash) {
        ApiTokenEntity t = ApiTokenEntity.find("tokenHash = ?1 and revokedAt is null", hash).firstResult();
        if (t == null) {
            return Optional.empty();
        }
        t.lastUsedAt = Instant.now(clock);
        return Optional.of(Role.parse(t.role));
    }

    @Transactional
    public TokenInfo create(String name, String roleName) {
        if (name == null || name.isBlank() || name.length() > 128) {
            throw ApiException.invalid("name", "name is required, at most 128 characters");
        }
        Role role;
        try {
            role = Role.parse(roleName == null ? "" : roleName);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("role", e.getMessage());
        }
        String secret = Secrets.generate("trb_");
        ApiTokenEntity t = insert(name, role, Secrets.sha256(secret));
        events.record("token_created", null, null, null, "token '" + name + "' (" + role.wireName() + ") created", null);
        return new TokenInfo(t.id, t.name, t.role, t.createdAt, null, secret);
    }

    @Transactional
    public List<TokenInfo> list() {
        List<ApiTokenEntity> all = ApiTokenEntity.list("revokedAt is null order by id");
        return all.stream().map(t -> new TokenInfo(t.id, t.name, t.role, t.createdAt, t.lastUsedAt, null)).toList();
    }

    @Transactional
    public void revoke(long id) {
        ApiTokenEntity t = ApiTokenEntity.findById(id);
        if (t == null || t.revokedAt != null) {
            throw ApiException.notFound("no active token with id " + id);
        }
        t.revokedAt = Instant.now(clock);
        cache.remove(t.tokenHash);
        events.record("token_revoked", null, null, null, "token '" + t.name + "' revoked", null);
    }

    private ApiTokenEntity insert(String name, Role role, String hash) {
        ApiTokenEntity t = new ApiTokenEntity();
        t.name = name;
        t.role = role.wireName();
        t.tokenHash = hash;
        t.createdAt = Instant.now(clock);
        t.persist();
        return t;
    }
}
