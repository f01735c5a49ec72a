package io.tributary.controlplane.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class OnDemandTest {
    static final Instant NOW = Instant.parse("2026-11-25T00:00:00Z");

    @Test
    void wantedWhileTheLastDemandIsYoungerThanClientsTimeout() {
        assertThat(OnDemand.wanted(null, 30, NOW)).isFalse();
        assertThat(OnDemand.wanted(NOW.minusSeconds(29), 30, NOW)).isTrue();
        assertThat(OnDemand.wanted(NOW.minusSeconds(30), 30, NOW)).isFalse();
        assertThat(OnDemand.wanted(NOW.minusMillis(500), 0, NOW)).as("at least one second").isTrue();
    }
}
