package io.tributary.controlplane.assignment;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HandoffHeadroomTest {
    @Test
    void atLeastTwoSegmentsAndAtLeastFourSecondsOfThem() {
        assertThat(AssignmentService.handoffHeadroom(2000)).isEqualTo(2);
        assertThat(AssignmentService.handoffHeadroom(6000)).isEqualTo(2);
        assertThat(AssignmentService.handoffHeadroom(1000)).isEqualTo(4);
        assertThat(AssignmentService.handoffHeadroom(1500)).isEqualTo(3);
        assertThat(AssignmentService.handoffHeadroom(500)).isEqualTo(8);
    }
}
