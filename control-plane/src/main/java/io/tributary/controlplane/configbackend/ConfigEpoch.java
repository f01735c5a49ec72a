package io.tributary.controlplane.configbackend;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

/**
 * A counter bumped (in the writer's transaction) by every change that can alter what some host
 * must run. Agents poll the config backend with If-None-Match on it, so an unchanged poll costs one
 * tiny query and a 304.
 */
@ApplicationScoped
public class ConfigEpoch {
    private final EntityManager em;

    public ConfigEpoch(EntityManager em) {
        this.em = em;
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public void bump() {
        em.createNativeQuery("UPDATE config_epoch SET epoch = epoch + 1 WHERE id = 1").executeUpdate();
    }

    @Transactional
    public long current() {
        return ((Number) em.createNativeQuery("SELECT epoch FROM config_epoch WHERE id = 1").getSingleResult()).longValue();
    }
}
