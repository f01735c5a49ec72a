package io.tributary.controlplane.balancer;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.api.balancer.BalancerSettings;
import io.tributary.api.stream.StreamValidation;
import io.tributary.controlplane.common.ApiException;
import io.tributary.controlplane.event.EventService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.util.List;
import java.util.Map;

/** Reads and writes the managed-balancing settings (one versioned document), audited in events. */
@ApplicationScoped
public class BalancerSettingsService {
    private final EntityManager em;
    private final ObjectMapper json;
    private final EventService events;

    /** The settings with their version (the ETag). */
    public record Versioned(BalancerSettings settings, long version) {
    }

    public BalancerSettingsService(EntityManager em, ObjectMapper json, EventService events) {
        this.em = em;
        this.json = json;
        this.events = events;
    }

    @Transactional
    public Versioned get() {
        Object[] row = (Object[]) em.createNativeQuery("SELECT CAST(settings AS text), version FROM balancer_settings WHERE id = 1")
                .getSingleResult();
        try {
            return new Versioned(json.readValue((String) row[0], BalancerSettings.class), ((Number) row[1]).longValue());
        } catch (Exception e) {
            throw new IllegalStateException("stored balancer settings are not valid JSON", e);
        }
    }

    @Transactional
    public Versioned put(BalancerSettings s, Long ifMatch) {
        if (s == null) {
            throw ApiException.invalid(null, "the body must be a balancer settings object");
        }
        validate(s);
        Object[] row = (Object[]) em.createNativeQuery("SELECT CAST(settings AS text), version FROM balancer_settings WHERE id = 1 FOR UPDATE")
                .getSingleResult();
        long version = ((Number) row[1]).longValue();
        if (ifMatch != null && ifMatch != version) {
            throw ApiException.conflict("balancer settings were changed by someone else: version is " + version
                    + ", If-Match asked for " + ifMatch);
        }
        String text;
        try {
            text = json.writeValueAsString(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        em.createNativeQuery("UPDATE balancer_settings SET settings = CAST(:s AS jsonb), version = version + 1 WHERE id = 1")
                .setParameter("s", text).executeUpdate();
        events.record("balancer_updated", null, null, null, "balancer settings: " + text, null);
        return new Versioned(s, version + 1);
    }

    static void validate(BalancerSettings s) {
        mode("mode", s.mode());
        if (s.weights() != null) {
            for (Map.Entry<String, Double> w : s.weights().entrySet()) {
                host("weights", w.getKey());
                if (w.getValue() == null || w.getValue() <= 0 || w.getValue() > 1000) {
                    throw ApiException.invalid("weights." + w.getKey(), "weight must be above 0 and at most 1000, got " + w.getValue());
                }
            }
        }
        rules("streams", s.streams(), true);
        rules("groups", s.groups(), false);
    }

    private static void rules(String field, Map<String, BalancerSettings.Rule> rules, boolean streamNames) {
        if (rules == null) {
            return;
        }
        for (Map.Entry<String, BalancerSettings.Rule> e : rules.entrySet()) {
            String f = field + "." + e.getKey();
            if (streamNames && StreamValidation.checkName(e.getKey()) != null) {
                throw ApiException.invalid(f, StreamValidation.checkName(e.getKey()));
            }
            BalancerSettings.Rule r = e.getValue();
            if (r == null) {
                throw ApiException.invalid(f, "rule is null");
            }
            mode(f + ".mode", r.mode());
            List<String> servers = r.servers();
            if (servers != null) {
                if (servers.isEmpty()) {
                    throw ApiException.invalid(f + ".servers", "servers needs at least one hostname (or leave it out)");
                }
                servers.forEach(h -> host(f + ".servers", h));
            } else if (Boolean.TRUE.equals(r.override())) {
                throw ApiException.invalid(f + ".servers", "an override needs the servers to send viewers to");
            }
        }
    }

    private static void mode(String field, String mode) {
        if (mode != null && !Balancer.MODES.contains(mode)) {
            throw ApiException.invalid(field, "mode '" + mode + "' is unknown; allowed: bitrate, clients, streams, usage");
        }
    }

    private static void host(String field, String h) {
        if (!StreamValidation.isValidHostname(h)) {
            throw ApiException.invalid(field, "'" + h + "' is not a valid hostname");
        }
    }
}
