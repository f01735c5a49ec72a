package io.tributary.controlplane.balancer;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.controlplane.balancer.Balancer.Candidate;
import io.tributary.controlplane.balancer.Balancer.Mode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BalancerTest {
    static Candidate c(String host, long outBps, int clients, int streams, Long max, boolean serves, long pending) {
        return new Candidate(host, "http://" + host, outBps, clients, streams, max, serves, pending, 1.0);
    }

    @Test
    void eachModePicksTheLeastLoaded() {
        List<Candidate> three = List.of(
                c("a", 600_000_000, 10, 5, 1_000_000_000L, false, 0),   // usage 0.60, clients 10, streams 5
                c("b", 300_000_000, 90, 9, 1_000_000_000L, false, 0),   // usage 0.30, clients 90, streams 9
                c("c", 400_000_000, 50, 1, 400_000_001L * 2, false, 0)); // usage 0.50, bitrate 400M, streams 1
        Random r = new Random(1);
        assertThat(Balancer.choose(three, Mode.USAGE, 1_000_000, r).hostname()).isEqualTo("b");
        assertThat(Balancer.choose(three, Mode.CLIENTS, 1_000_000, r).hostname()).isEqualTo("a");
        assertThat(Balancer.choose(three, Mode.BITRATE, 1_000_000, r).hostname()).isEqualTo("b");
        assertThat(Balancer.choose(three, Mode.STREAMS, 1_000_000, r).hostname()).isEqualTo("c");
    }

    @Test
    void prefersAServerThatAlreadyServesTheStreamWithinTenPercent() {
        List<Candidate> cs = List.of(c("a", 100, 100, 1, null, false, 0), c("b", 100, 105, 1, null, true, 0));
        assertThat(Balancer.choose(cs, Mode.CLIENTS, 1, new Random(2)).hostname()).isEqualTo("b");
        List<Candidate> far = List.of(c("a", 100, 100, 1, null, false, 0), c("b", 100, 130, 1, null, true, 0));
        assertThat(Balancer.choose(far, Mode.CLIENTS, 1, new Random(2)).hostname()).isEqualTo("a");
    }

    @Test
    void serversAtMaxBitrateGetNobody() {
        List<Candidate> cs = List.of(c("full", 1_000, 0, 0, 1_000L, false, 0));
        assertThat(Balancer.choose(cs, Mode.USAGE, 10, new Random(3))).isNull();
        assertThat(Balancer.choose(List.of(), Mode.USAGE, 10, new Random(3))).isNull();
    }

    @Test
    void aBurstWithinOneReportIntervalSpreadsEvenly() {
        // Equal servers; the burst arrives before any of them reports again.
        String[] hosts = {"a", "b", "c"};
        Map<String, Long> pending = new HashMap<>();
        Random r = new Random(4);
        for (int i = 0; i < 1000; i++) {
            List<Candidate> cs = new ArrayList<>();
            for (String h : hosts) {
                cs.add(c(h, 200_000_000, 40, 3, 1_000_000_000L, false, pending.getOrDefault(h, 0L)));
            }
            pending.merge(Balancer.choose(cs, Mode.USAGE, 2_000_000, r).hostname(), 1L, Long::sum);
        }
        double mean = 1000.0 / hosts.length;
        long max = pending.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        assertThat(max / mean).isLessThanOrEqualTo(1.15);
    }

    @Test
    void weightsScaleTheLoad() {
        List<Candidate> cs = List.of(new Candidate("big", "u", 0, 100, 0, null, false, 0, 4.0),
                new Candidate("small", "u", 0, 50, 0, null, false, 0, 1.0));
        assertThat(Balancer.choose(cs, Mode.CLIENTS, 1, new Random(5)).hostname()).isEqualTo("big");
    }
}
