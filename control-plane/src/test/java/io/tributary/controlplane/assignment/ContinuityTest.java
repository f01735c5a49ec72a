package io.tributary.controlplane.assignment;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Where a new owner continues a stream's media sequence, from the reports of it. */
class ContinuityTest {
    static final Instant T0 = Instant.parse("2026-12-07T00:00:00Z");

    static AssignmentEntity assignment(long seq) {
        AssignmentEntity a = new AssignmentEntity();
        a.streamName = "cam";
        a.generation = 3;
        a.mediaSequence = seq;
        return a;
    }

    @Test
    void theReportThatProjectsFurthestWinsWithItsOwnTime() {
        // An older row of a higher projection (seq 100 written 10 s before a row of seq 101):
        // at 20 s the first has cut about 10 more segments of 2 s, the second 5.
        AssignmentService.Reported old = new AssignmentService.Reported(100L, 4L, T0, 2000L);
        AssignmentService.Reported newer = new AssignmentService.Reported(101L, 5L, T0.plusSeconds(10), 2000L);
        AssignmentService.Reported kept = AssignmentService.further(newer, old);
        assertThat(kept.mediaSequence()).isEqualTo(100L);
        assertThat(kept.at()).isEqualTo(T0);
        assertThat(kept.discontinuitySequence()).isEqualTo(5L);
        assertThat(AssignmentService.further(old, newer)).isEqualTo(kept);
        // Past anything either server can have listed by then: 100 + 10 segments.
        assertThat(AssignmentService.continuity(assignment(0), kept, T0.plusSeconds(20)).mediaSequence()).isGreaterThan(110);
    }

    @Test
    void aReportWithoutASegmentLeavesTheOther() {
        AssignmentService.Reported none = new AssignmentService.Reported(null, null, null, 2000L);
        AssignmentService.Reported some = new AssignmentService.Reported(7L, 1L, T0, 2000L);
        assertThat(AssignmentService.further(none, some).mediaSequence()).isEqualTo(7L);
        assertThat(AssignmentService.further(some, none).mediaSequence()).isEqualTo(7L);
    }

    @Test
    void neverBelowTheStoredSequence() {
        AssignmentService.Reported stale = new AssignmentService.Reported(5L, 0L, T0, 2000L);
        assertThat(AssignmentService.continuity(assignment(50), stale, T0.plusSeconds(2)).mediaSequence()).isEqualTo(50);
    }
}
