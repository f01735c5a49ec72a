package io.tributary.cli.cluster;

import io.tributary.api.cluster.ClusterSummary;
import io.tributary.cli.ApiClient;
import io.tributary.cli.ApiCommand;
import io.tributary.cli.WatchOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code tributary cluster status}: counts of servers and streams by state. */
@Command(name = "status", description = "Count servers and streams by state.")
final class ClusterStatusCommand extends ApiCommand {
    static final List<String> SERVER_STATES = List.of("up", "down", "draining");
    static final List<String> STREAM_STATES = List.of("running", "starting", "waiting", "error", "stopped");

    @Mixin
    WatchOptions watch;

    @Override
    protected int run() throws Exception {
        if (watch.enabled()) {
            return watch.run(this, environment().terminal(), "tributary cluster status", this::draw);
        }
        draw();
        return 0;
    }

    private void draw() {
        ApiClient.Reply r = api().get("/api/v1/cluster");
        if (json) {
            if (watch.enabled()) {
                printJsonLine(api().tree(r));
            } else {
                printJson(api().tree(r));
            }
            return;
        }
        out().print(render(api().read(r, ClusterSummary.class)));
    }

    /** {@code servers: 3 total, 3 up, 0 down, 0 draining}, the same for streams, and the scheduler leader. */
    static String render(ClusterSummary s) {
        StringBuilder sb = new StringBuilder();
        sb.append("servers: ").append(line(s.servers(), SERVER_STATES)).append('\n');
        sb.append("streams: ").append(line(s.streams(), STREAM_STATES)).append('\n');
        if (s.schedulerLeader() != null) {
            sb.append("scheduler leader: ").append(s.schedulerLeader()).append('\n');
        }
        return sb.toString();
    }

    private static String line(Map<String, Long> counts, List<String> known) {
        Map<String, Long> c = counts == null ? Map.of() : counts;
        List<String> parts = new ArrayList<>();
        parts.add(c.getOrDefault("total", 0L) + " total");
        for (String state : known) {
            parts.add(c.getOrDefault(state, 0L) + " " + state);
        }
        c.keySet().stream().filter(k -> !k.equals("total") && !known.contains(k)).sorted()
                .forEach(k -> parts.add(c.get(k) + " " + k));
        return String.join(", ", parts);
    }
}
