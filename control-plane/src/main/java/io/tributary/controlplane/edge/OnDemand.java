package io.tributary.controlplane.edge;

import java.time.Instant;

/**
 * When an on-demand stream ({@code static: false}) is wanted: while its last demand (a source
 * lookup, or viewers or pulls reported by any server) is younger than its clients_timeout. Pure.
 */
public final class OnDemand {
    private OnDemand() {
    }

    public static boolean wanted(Instant lastDemand, int clientsTimeoutSeconds, Instant now) {
        return lastDemand != null && lastDemand.plusSeconds(Math.max(1, clientsTimeoutSeconds)).isAfter(now);
    }
}
