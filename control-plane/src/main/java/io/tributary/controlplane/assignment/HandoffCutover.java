package io.tributary.controlplane.assignment;

import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * When a hand-off (drain, fail-back) may stop the old owner. The new owner starts at
 * {@code media_sequence} m; the old owner lists segments up to m - 1 and no further
 * ({@code last_media_sequence} in its config). The old owner stops once the new owner has a
 * segment and the old one has listed m - 1, so a player sees every number once, from one server.
 */
public final class HandoffCutover {
    /** A hand-off whose old owner never reaches its last segment (its input stalled) completes anyway after this. */
    static final Duration OVERDUE = Duration.ofSeconds(20);

    private HandoffCutover() {
    }

    /** Whether the old owner of {@code a}'s hand-off has listed its last segment (or no longer runs it, or took too long). */
    public static boolean oldOwnerDone(EntityManager em, AssignmentEntity a, Instant now) {
        if (a.handoffFrom == null || a.handoffGeneration == null) {
            return true;
        }
        if (a.assignedAt != null && Duration.between(a.assignedAt, now).compareTo(OVERDUE) > 0) {
            return true;
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("SELECT r.generation, CAST(r.report->>'media_sequence' AS bigint), "
                        + "sv.status FROM stream_reports r LEFT JOIN servers sv ON sv.hostname = r.hostname "
                        + "WHERE r.stream_name = :n AND r.hostname = :h")
                .setParameter("n", a.streamName).setParameter("h", a.handoffFrom).getResultList();
        if (rows.isEmpty()) {
            return true;
        }
        Object[] r = rows.get(0);
        if (r[0] == null || !a.handoffGeneration.equals(((Number) r[0]).longValue()) || !"up".equals(r[2])) {
            return true;
        }
        return lastListedReaches(r[1] == null ? null : ((Number) r[1]).longValue(), a.mediaSequence);
    }

    /** Whether the old owner's newest listed segment is the one just before the new owner's first. */
    static boolean lastListedReaches(Long oldLast, long newFirst) {
        return newFirst <= 0 || oldLast != null && oldLast >= newFirst - 1;
    }
}
