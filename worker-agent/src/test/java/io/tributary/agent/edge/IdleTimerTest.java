package io.tributary.agent.edge;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IdleTimerTest {
    @Test
    void expiresClientsTimeoutAfterTheLastRequest() {
        IdleTimer t = new IdleTimer(30_000, 1_000);
        assertThat(t.expired(30_999, 0)).isFalse();
        assertThat(t.expired(31_000, 0)).isTrue();
        t.touch(31_000);
        assertThat(t.expired(60_999, 0)).isFalse();
        assertThat(t.expired(61_000, 0)).isTrue();
    }

    @Test
    void anOpenConnectionKeepsItBusyAndTheTimeoutCountsFromWhenItCloses() {
        IdleTimer t = new IdleTimer(3_000, 0);
        assertThat(t.expired(10_000, 1)).isFalse();
        assertThat(t.expired(12_999, 0)).isFalse();
        assertThat(t.expired(13_000, 0)).isTrue();
    }

    @Test
    void aLateTouchNeverMovesTheLastRequestBack() {
        IdleTimer t = new IdleTimer(1_000, 5_000);
        t.touch(4_000);
        assertThat(t.expired(5_999, 0)).isFalse();
        t.timeoutMs(500);
        assertThat(t.expired(5_500, 0)).isTrue();
    }
}
