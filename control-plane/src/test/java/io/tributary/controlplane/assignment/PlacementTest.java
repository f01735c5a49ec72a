package io.tributary.controlplane.assignment;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.controlplane.assignment.Placement.Action;
import io.tributary.controlplane.assignment.Placement.Current;
import io.tributary.controlplane.assignment.Placement.Decision;
import io.tributary.controlplane.assignment.Placement.ServerView;
import io.tributary.controlplane.assignment.Placement.StreamSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class PlacementTest {
    static final Instant NOW = Instant.parse("2026-11-25T00:00:00Z");
    static final Duration HOLD = Duration.ofSeconds(30);

    static ServerView up(String h, int limit) {
        return new ServerView(h, true, false, true, "default", limit, NOW.minusSeconds(3600));
    }

    static ServerView down(String h) {
        return new ServerView(h, false, false, true, "default", 10, null);
    }

    static StreamSpec s(String name) {
        return new StreamSpec(name, true, null, null, 1.0);
    }

    static Map<String, Decision> byStream(List<Decision> plan) {
        Map<String, Decision> m = new HashMap<>();
        plan.forEach(d -> m.put(d.stream(), d));
        return m;
    }

    @Test
    void newStreamsGoToTheLeastLoadedServer() {
        List<Decision> plan = Placement.plan(List.of(s("a"), s("b"), s("c")), List.of(up("x", 10), up("y", 10)),
                List.of(new Current("old", "x", null, null)), NOW, HOLD);
        Map<String, Decision> d = byStream(plan);
        assertThat(d.get("a").to()).isEqualTo("y");
        assertThat(plan).allMatch(p -> p.action() == Action.PLACE);
        long onX = plan.stream().filter(p -> "x".equals(p.to())).count();
        long onY = plan.stream().filter(p -> "y".equals(p.to())).count();
        assertThat(onX + 1).isEqualTo(onY); // 1 existing + 1 on x, 2 on y
    }

    @Test
    void limitIsNeverExceededAndTheRestWaitsWithAReason() {
        List<Decision> plan = Placement.plan(List.of(s("a"), s("b"), s("c")), List.of(up("x", 2)), List.of(), NOW, HOLD);
        assertThat(plan.stream().filter(p -> p.action() == Action.PLACE)).hasSize(2);
        Decision wait = plan.stream().filter(p -> p.action() == Action.WAIT).findFirst().orElseThrow();
        assertThat(wait.reason()).contains("channel_limit");
    }

    @Test
    void waitingStreamWithSameReasonIsNotRepeated() {
        List<Decision> plan = Placement.plan(List.of(s("a")), List.of(down("x")),
                List.of(new Current("a", null, null, "no server with the ingest role is up")), NOW, HOLD);
        assertThat(plan).isEmpty();
    }

    @Test
    void streamsOfADownServerMoveAndRunningStreamsStay() {
        List<Decision> plan = Placement.plan(List.of(s("a"), s("b")), List.of(down("x"), up("y", 10)),
                List.of(new Current("a", "x", null, null), new Current("b", "y", null, null)), NOW, HOLD);
        assertThat(plan).containsExactly(new Decision("a", Action.MOVE, "y", "x", "server x is down"));
    }

    @Test
    void captureAtWinsWhileUpAndNotFull() {
        StreamSpec pref = new StreamSpec("a", true, "x", null, 1.0);
        assertThat(Placement.plan(List.of(pref), List.of(up("x", 10), up("y", 10)),
                List.of(new Current("z1", "x", null, null), new Current("z2", "x", null, null)), NOW, HOLD))
                .containsExactly(new Decision("a", Action.PLACE, "x", null, "placed"));
        assertThat(Placement.plan(List.of(pref), List.of(up("x", 0), up("y", 10)), List.of(), NOW, HOLD).get(0).to())
                .isEqualTo("y");
    }

    @Test
    void failBackToCaptureAtAfterHoldDownByHandoff() {
        StreamSpec pref = new StreamSpec("a", true, "x", null, 1.0);
        ServerView justBack = new ServerView("x", true, false, true, "default", 10, NOW.minusSeconds(5));
        List<Current> onY = List.of(new Current("a", "y", null, null));
        assertThat(Placement.plan(List.of(pref), List.of(justBack, up("y", 10)), onY, NOW, HOLD)).isEmpty();
        assertThat(Placement.plan(List.of(pref), List.of(up("x", 10), up("y", 10)), onY, NOW, HOLD))
                .containsExactly(new Decision("a", Action.HANDOFF, "x", "y", "fail-back to capture_at x"));
    }

    @Test
    void drainingServerHandsOffWithoutAGapAndGetsNothingNew() {
        ServerView draining = new ServerView("x", true, true, true, "default", 10, NOW.minusSeconds(60));
        List<Decision> plan = Placement.plan(List.of(s("a"), s("b")), List.of(draining, up("y", 10)),
                List.of(new Current("a", "x", null, null)), NOW, HOLD);
        assertThat(byStream(plan).get("a")).isEqualTo(new Decision("a", Action.HANDOFF, "y", "x", "server x is draining"));
        assertThat(byStream(plan).get("b").to()).isEqualTo("y");
        // While the hand-off is in flight nothing more happens.
        assertThat(Placement.plan(List.of(s("a")), List.of(draining, up("y", 10)),
                List.of(new Current("a", "y", "x", null)), NOW, HOLD)).isEmpty();
    }

    @Test
    void disabledOrOnDemandStreamsAreStoppedAndEdgesAndOtherGroupsGetNothing() {
        StreamSpec off = new StreamSpec("a", false, null, null, 1.0);
        assertThat(Placement.plan(List.of(off), List.of(up("x", 10)), List.of(new Current("a", "x", null, null)), NOW, HOLD))
                .containsExactly(new Decision("a", Action.STOP, null, "x", "stream is disabled, or on demand with no viewers"));
        ServerView edge = new ServerView("e", true, false, false, "default", 10, NOW);
        ServerView other = new ServerView("o", true, false, true, "asia", 10, NOW);
        List<Decision> plan = Placement.plan(List.of(new StreamSpec("b", true, null, "eu", 1.0)), List.of(edge, other),
                List.of(), NOW, HOLD);
        assertThat(plan.get(0).action()).isEqualTo(Action.WAIT);
        assertThat(plan.get(0).reason()).contains("group eu");
    }

    @Test
    void transcodedStreamsCostMore() {
        var copy = new io.tributary.api.stream.StreamConfig("a", null, List.of(), null, null, null, null, null, null, null,
                null, null, null, null);
        var ladder = new io.tributary.api.stream.StreamConfig("a", null, List.of(), null, null, null, null,
                new io.tributary.api.stream.Transcoder(List.of(
                        new io.tributary.api.stream.VideoRung(2_000_000L, new io.tributary.api.stream.Size(1280, 720), null, null, null, null),
                        new io.tributary.api.stream.VideoRung(800_000L, new io.tributary.api.stream.Size(640, 360), null, null, null, null)),
                        null), null, null, null, null, null, null);
        assertThat(Placement.cost(copy)).isEqualTo(1.0);
        assertThat(Placement.cost(ladder)).isGreaterThan(4.0);
    }

    // Generated cases: whatever the cluster looks like, the invariants of cluster ingest hold.

    record Cluster(List<StreamSpec> streams, List<ServerView> servers, List<Current> current) {
    }

    @Provide
    Arbitrary<Cluster> clusters() {
        Arbitrary<List<ServerView>> servers = Combinators.combine(Arbitraries.of(true, false), Arbitraries.of(true, false),
                Arbitraries.integers().between(0, 6), Arbitraries.of(true, true, false))
                .as((isUp, draining, limit, ingest) -> new Object[] {isUp, draining, limit, ingest})
                .list().ofMinSize(0).ofMaxSize(5)
                .map(l -> {
                    List<ServerView> out = new ArrayList<>();
                    for (int i = 0; i < l.size(); i++) {
                        Object[] o = l.get(i);
                        out.add(new ServerView("s" + i, (Boolean) o[0], (Boolean) o[1], (Boolean) o[3], "default",
                                (Integer) o[2], (Boolean) o[0] ? NOW.minusSeconds(100) : null));
                    }
                    return out;
                });
        Arbitrary<List<StreamSpec>> streams = Combinators.combine(Arbitraries.of(true, true, false),
                Arbitraries.doubles().between(1, 3), Arbitraries.integers().between(-1, 4))
                .as((wanted, cost, at) -> new Object[] {wanted, cost, at})
                .list().ofMaxSize(12)
                .map(l -> {
                    List<StreamSpec> out = new ArrayList<>();
                    for (int i = 0; i < l.size(); i++) {
                        Object[] o = l.get(i);
                        int at = (Integer) o[2];
                        out.add(new StreamSpec("st" + i, (Boolean) o[0], at < 0 ? null : "s" + at, null,
                                Math.floor((Double) o[1])));
                    }
                    return out;
                });
        return Combinators.combine(streams, servers, Arbitraries.integers().between(-1, 4).list().ofSize(12))
                .as((st, sv, owners) -> {
                    List<Current> cur = new ArrayList<>();
                    for (int i = 0; i < st.size(); i++) {
                        int o = owners.get(i);
                        if (o >= 0) {
                            cur.add(new Current(st.get(i).name(), "s" + o, null, null));
                        }
                    }
                    return new Cluster(st, sv, cur);
                });
    }

    @Property(tries = 500)
    void everyWantedStreamEndsOnOneEligibleServerOrWaitsAndNoLimitIsExceeded(@ForAll("clusters") Cluster c) {
        List<Decision> plan = Placement.plan(c.streams(), c.servers(), c.current(), NOW, HOLD);
        Map<String, String> owner = new HashMap<>();
        c.current().forEach(cur -> owner.put(cur.stream(), cur.hostname()));
        Map<String, String> before = new HashMap<>(owner);
        for (Decision d : plan) {
            switch (d.action()) {
                case PLACE, MOVE, HANDOFF -> owner.put(d.stream(), d.to());
                case STOP, WAIT -> owner.remove(d.stream());
                default -> { }
            }
        }
        Map<String, ServerView> servers = new HashMap<>();
        c.servers().forEach(s -> servers.put(s.hostname(), s));
        Map<String, Double> load = new HashMap<>();
        for (StreamSpec s : c.streams()) {
            String h = owner.get(s.name());
            if (!s.wanted()) {
                assertThat(h).as("unwanted %s", s.name()).isNull();
                continue;
            }
            if (h == null) {
                continue; // waiting
            }
            ServerView v = servers.get(h);
            assertThat(v).as("%s on unknown %s", s.name(), h).isNotNull();
            assertThat(v.up() && v.ingest()).as("%s on %s", s.name(), h).isTrue();
            boolean moved = !h.equals(before.get(s.name()));
            if (moved) {
                assertThat(v.draining()).as("new placement on draining %s", h).isFalse();
                load.merge(h, s.cost(), Double::sum);
            }
        }
        // A server that received a stream ends within its limit, counting hand-offs still leaving it.
        Map<String, Double> finalLoad = new HashMap<>();
        Map<String, Double> cost = new HashMap<>();
        c.streams().forEach(s -> cost.put(s.name(), s.cost()));
        owner.forEach((stream, host) -> finalLoad.merge(host, cost.getOrDefault(stream, 1.0), Double::sum));
        for (Decision d : plan) {
            if (d.action() == Action.HANDOFF) {
                finalLoad.merge(d.from(), cost.get(d.stream()), Double::sum);
            }
        }
        for (String h : load.keySet()) {
            assertThat(finalLoad.getOrDefault(h, 0.0)).as("load on %s after receiving streams", h)
                    .isLessThanOrEqualTo(servers.get(h).limit() + 1e-9);
        }
        // A running stream on a healthy, non-draining server is never moved without a capture_at reason.
        for (Current cur : c.current()) {
            ServerView v = servers.get(cur.hostname());
            StreamSpec spec = c.streams().stream().filter(s -> s.name().equals(cur.stream())).findFirst().orElse(null);
            if (spec != null && spec.wanted() && spec.captureAt() == null && v != null && v.up() && v.ingest() && !v.draining()) {
                assertThat(owner.get(cur.stream())).isEqualTo(cur.hostname());
            }
        }
    }

    @Property(tries = 200)
    void planIsDeterministic(@ForAll("clusters") Cluster c) {
        assertThat(Placement.plan(c.streams(), c.servers(), c.current(), NOW, HOLD))
                .isEqualTo(Placement.plan(c.streams(), c.servers(), c.current(), NOW, HOLD));
    }

    @Test
    void edgeOnlyServersNeverCaptureEvenWhenTheIngestServersAreGoneOrFull() {
        ServerView edge = new ServerView("edge", true, false, false, "default", 100, NOW.minusSeconds(3600));
        // The only ingest server is full: the second stream waits rather than landing on the edge.
        List<Decision> plan = Placement.plan(List.of(s("a"), s("b")), List.of(edge, up("x", 1)), List.of(), NOW, HOLD);
        assertThat(plan).noneMatch(p -> "edge".equals(p.to()));
        assertThat(byStream(plan).get("b").action()).isEqualTo(Action.WAIT);
        // Its ingest server died: the stream waits with a reason instead of moving to the edge.
        plan = Placement.plan(List.of(s("a")), List.of(edge, down("x")), List.of(new Current("a", "x", null, null)), NOW,
                HOLD);
        assertThat(byStream(plan).get("a").action()).isEqualTo(Action.WAIT);
        assertThat(byStream(plan).get("a").reason()).isEqualTo("no server with the ingest role is up");
    }
}
