package io.tributary.controlplane.configbackend;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.FlushModeType;
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

    /**
     * Takes the epoch row's lock first thing in a writer's transaction. Every writer that may
     * bump the epoch and also touches stream, server or assignment rows (API mutations, the
     * scheduler pass) calls this before anything else, so they queue on this one row in the same
     * order and never deadlock (a DELETE of a stream racing a scheduler pass over it did).
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void lockForChange() {
        em.createNativeQuery("SELECT epoch FROM config_epoch WHERE id = 1 FOR UPDATE").getSingleResult();
    }

    /**
     * Bumps the epoch and the content epoch: for changes of what a host's page holds other than
     * its assignments and server state (stream configs, DVR deletion requests).
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void bumpContent() {
        em.createNativeQuery("UPDATE config_epoch SET epoch = epoch + 1, content_epoch = content_epoch + 1 WHERE id = 1")
                .executeUpdate();
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public void bump() {
        em.createNativeQuery("UPDATE config_epoch SET epoch = epoch + 1 WHERE id = 1").executeUpdate();
    }

    @Transactional
    public long current() {
        // No auto-flush first: bumps are native statements, already executed when this reads.
        return ((Number) em.createNativeQuery("SELECT epoch FROM config_epoch WHERE id = 1")
                .setFlushMode(FlushModeType.COMMIT).getSingleResult()).longValue();
    }
}
