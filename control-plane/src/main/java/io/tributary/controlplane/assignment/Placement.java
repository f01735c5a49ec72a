package io.tributary.controlplane.assignment;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Cluster-ingest placement as a pure function: (streams, servers, assignments, now) to a plan.
 * Every static, enabled stream gets exactly one up, eligible server with the ingest role (in the
 * stream's group when it names one); least loaded by cost ÷ channel_limit; {@code capture_at}
 * wins while that server is up and not full; running streams are not moved to rebalance; a full
 * cluster leaves a stream waiting with a reason, never over a limit.
 */
public final class Placement {
    /** Channel limit of a server that does not set one. */
    public static final int DEFAULT_CHANNEL_LIMIT = 100;

    private Placement() {
    }

    /** A stream as placement sees it. {@code cost} is 1 for a copy, more when transcoded. */
    public record StreamSpec(String name, boolean wanted, String captureAt, String group, double cost) {
    }

    /** A server as placement sees it. */
    public record ServerView(String hostname, boolean up, boolean draining, boolean ingest, String group,
            Integer channelLimit, Instant upSince) {
        double limit() {
            return channelLimit == null ? DEFAULT_CHANNEL_LIMIT : channelLimit;
        }

        boolean eligible() {
            return up && !draining && ingest;
        }
    }

    /** The current assignment of a stream; hostname null means waiting. */
    public record Current(String stream, String hostname, String handoffFrom, String reason) {
    }

    /** What to do with one stream. */
    public enum Action { PLACE, MOVE, HANDOFF, STOP, WAIT }

    /** One decision of a plan; {@code from} is the previous server for MOVE and HANDOFF. */
    public record Decision(String stream, Action action, String to, String from, String reason) {
    }

    /**
     * Computes the plan. {@code failbackHold}: a stream with capture_at returns to that server
     * (by hand-off, without a gap) once it has been up this long.
     */
    public static List<Decision> plan(List<StreamSpec> streams, List<ServerView> servers, List<Current> current,
            Instant now, Duration failbackHold) {
        Map<String, ServerView> byHost = new HashMap<>();
        for (ServerView s : servers) {
            byHost.put(s.hostname(), s);
        }
        Map<String, Current> assigned = new HashMap<>();
        for (Current c : current) {
            assigned.put(c.stream(), c);
        }
        Map<String, Double> cost = new HashMap<>();
        for (StreamSpec st : streams) {
            cost.put(st.name(), st.cost());
        }
        // Load counts what each server is asked to carry now, including hand-offs in flight.
        Loads load = new Loads(byHost);
        for (Current c : current) {
            double k = cost.getOrDefault(c.stream(), 1.0);
            if (c.hostname() != null) {
                load.merge(c.hostname(), k);
            }
            if (c.handoffFrom() != null) {
                load.merge(c.handoffFrom(), k);
            }
        }
        Map<String, String> noServerWhy = new HashMap<>();
        List<Decision> plan = new ArrayList<>();
        // Deterministic order: streams by name, so one state gives one plan.
        TreeMap<String, StreamSpec> ordered = new TreeMap<>();
        for (StreamSpec s : streams) {
            ordered.put(s.name(), s);
        }
        for (StreamSpec s : ordered.values()) {
            Current c = assigned.get(s.name());
            String host = c == null ? null : c.hostname();
            if (!s.wanted()) {
                if (host != null) {
                    plan.add(new Decision(s.name(), Action.STOP, null, host, "stream is disabled, or on demand with no viewers"));
                    load.merge(host, -s.cost());
                }
                continue;
            }
            ServerView where = host == null ? null : byHost.get(host);
            boolean healthy = where != null && where.up() && where.ingest() && groupMatches(s, where);
            if (healthy && !where.draining()) {
                if (c.handoffFrom() == null && s.captureAt() != null && !s.captureAt().equals(host)) {
                    ServerView preferred = byHost.get(s.captureAt());
                    if (preferred != null && preferred.eligible() && groupMatches(s, preferred)
                            && fits(preferred, load, s.cost())
                            && preferred.upSince() != null
                            && !preferred.upSince().plus(failbackHold).isAfter(now)) {
                        plan.add(new Decision(s.name(), Action.HANDOFF, preferred.hostname(), host,
                                "fail-back to capture_at " + preferred.hostname()));
                        load.merge(preferred.hostname(), s.cost());
                    }
                }
                continue;
            }
            if (c != null && c.handoffFrom() != null && healthy) {
                continue; // a hand-off away from a draining server is already in flight
            }
            ServerView target = choose(s, byHost, load, host);
            if (target == null) {
                // The reason depends on the group only, not on load: once per group and pass.
                String reason = noServerWhy.computeIfAbsent(s.group() == null ? "" : "g:" + s.group(),
                        g -> reasonNoServer(s, servers));
                if (host != null || c == null || !reason.equals(c.reason())) {
                    plan.add(new Decision(s.name(), Action.WAIT, null, host, reason));
                }
                if (host != null) {
                    load.merge(host, -s.cost());
                }
                continue;
            }
            load.merge(target.hostname(), s.cost());
            if (host == null) {
                plan.add(new Decision(s.name(), Action.PLACE, target.hostname(), null, "placed"));
            } else if (where != null && where.up() && where.draining()) {
                plan.add(new Decision(s.name(), Action.HANDOFF, target.hostname(), host, "server " + host + " is draining"));
            } else {
                load.merge(host, -s.cost());
                String why = where == null ? "server " + host + " is gone"
                        : !where.up() ? "server " + host + " is down"
                        : !where.ingest() ? "server " + host + " lost the ingest role"
                        : "server " + host + " is outside the stream's group";
                plan.add(new Decision(s.name(), Action.MOVE, target.hostname(), host, why));
            }
        }
        return plan;
    }

    private static boolean groupMatches(StreamSpec s, ServerView v) {
        return s.group() == null || s.group().equals(v.group());
    }

    private static boolean fits(ServerView v, Loads load, double cost) {
        return load.get(v.hostname()) + cost <= v.limit() + 1e-9;
    }

    private static ServerView choose(StreamSpec s, Map<String, ServerView> byHost, Loads load, String exclude) {
        if (s.captureAt() != null) {
            ServerView v = byHost.get(s.captureAt());
            if (v != null && !v.hostname().equals(exclude) && v.eligible() && groupMatches(s, v) && fits(v, load, s.cost())) {
                return v;
            }
        }
        // Least loaded first (load ÷ limit, then hostname): the first that fits is the choice.
        for (ServerView v : load.eligible(s.group())) {
            if (!v.hostname().equals(exclude) && fits(v, load, s.cost())) {
                return v;
            }
        }
        return null;
    }

    /**
     * What each server carries during a plan, with its eligible servers kept ordered by load ÷
     * limit (all, and per group once a stream asks for it): choosing a server is the first of
     * an ordered set, not a scan of every server (10,000 streams over 1,000 servers scanned ten
     * million servers per pass).
     */
    static final class Loads {
        private final Map<String, Double> load = new HashMap<>();
        private final Map<String, ServerView> byHost;
        private final Map<String, java.util.TreeSet<ServerView>> ordered = new HashMap<>();
        private final Comparator<ServerView> order = Comparator.<ServerView>comparingDouble(v -> get(v.hostname()) / v.limit())
                .thenComparing(ServerView::hostname);

        Loads(Map<String, ServerView> byHost) {
            this.byHost = byHost;
        }

        double get(String host) {
            return load.getOrDefault(host, 0.0);
        }

        void merge(String host, double k) {
            ServerView v = byHost.get(host);
            boolean indexed = v != null && v.eligible() && !ordered.isEmpty();
            if (indexed) {
                // Out of every ordered set before its key changes, back in after.
                for (Map.Entry<String, java.util.TreeSet<ServerView>> e : ordered.entrySet()) {
                    if (e.getKey().isEmpty() || e.getKey().equals(v.group())) {
                        e.getValue().remove(v);
                    }
                }
            }
            load.merge(host, k, Double::sum);
            if (indexed) {
                for (Map.Entry<String, java.util.TreeSet<ServerView>> e : ordered.entrySet()) {
                    if (e.getKey().isEmpty() || e.getKey().equals(v.group())) {
                        e.getValue().add(v);
                    }
                }
            }
        }

        /** Eligible servers (in {@code group} when not null), least loaded first. */
        java.util.NavigableSet<ServerView> eligible(String group) {
            return ordered.computeIfAbsent(group == null ? "" : group, g -> {
                java.util.TreeSet<ServerView> set = new java.util.TreeSet<>(order);
                for (ServerView v : byHost.values()) {
                    if (v.eligible() && (group == null || group.equals(v.group()))) {
                        set.add(v);
                    }
                }
                return set;
            });
        }
    }

    private static String reasonNoServer(StreamSpec s, List<ServerView> servers) {
        List<ServerView> candidates = servers.stream().filter(v -> v.up() && v.ingest() && groupMatches(s, v)).toList();
        if (candidates.isEmpty()) {
            return s.group() == null ? "no server with the ingest role is up"
                    : "no server with the ingest role is up in group " + s.group();
        }
        if (candidates.stream().allMatch(ServerView::draining)) {
            return "every ingest server is draining";
        }
        return "every eligible server is at its channel_limit";
    }

    /** The cost of a stream: 1 for a copy, plus output pixels per second over 720p25 per rung for a transcode. */
    public static double cost(io.tributary.api.stream.StreamConfig c) {
        double k = 1.0;
        if (c.transcoder() != null && c.transcoder().video() != null) {
            for (var rung : c.transcoder().video()) {
                int w = rung.size() == null || rung.size().width() == null || rung.size().width() < 0 ? 1280 : rung.size().width();
                int h = rung.size() == null || rung.size().height() == null || rung.size().height() < 0 ? w * 9 / 16 : rung.size().height();
                double fps = rung.fps() == null ? 25 : rung.fps();
                k += 2.0 * (w * (double) h * fps) / (1280.0 * 720 * 25);
            }
            k += 2.0; // decoding the source
        }
        return k;
    }

    /** Set of actions that change the owner. */
    public static final Set<Action> MOVES = Set.of(Action.PLACE, Action.MOVE, Action.HANDOFF);
}
