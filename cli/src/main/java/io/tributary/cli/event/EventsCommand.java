package io.tributary.cli.event;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.api.event.Event;
import io.tributary.api.event.EventList;
import io.tributary.cli.ApiClient;
import io.tributary.cli.ApiCommand;
import io.tributary.cli.Table;
import io.tributary.cli.TributaryMain;
import io.tributary.cli.Units;
import io.tributary.cli.UsageException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tributary events}: what happened in the cluster, oldest at the top; with --follow it
 * keeps polling and prints new events as they come.
 */
@Command(name = "events", sortOptions = false, description = {
        "Show what happened in the cluster (servers up and down, assignments, captures, failovers, drains), "
                + "oldest first so the newest is at the bottom.",
        "--json prints the API's page as it is (newest first, with `next` for --before); with --follow, one JSON "
                + "event per line."})
public final class EventsCommand extends ApiCommand {
    /** Minimum column widths while following, so rows that come later line up with the header. */
    static final int[] FOLLOW_WIDTHS = {20, 16, 16, 12, 10, 0};
    static final int MESSAGE_WIDTH = 100;

    @Option(names = "--since", paramLabel = "TIME", description = "only events at or after TIME (ISO-8601 or UNIX seconds)")
    String since;

    @Option(names = "--before", paramLabel = "ID", description = "only events with an id below ID (the `next` of a page)")
    Long before;

    @Option(names = "--stream", paramLabel = "NAME", description = "only events of this stream")
    String stream;

    @Option(names = "--server", paramLabel = "HOSTNAME", description = "only events of this server")
    String server;

    @Option(names = "--type", paramLabel = "TYPE", description = "only events of this type (failover, server_down, ...)")
    String type;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "50", description = "at most N events (1-1000, default ${DEFAULT-VALUE})")
    int limit;

    @Option(names = {"-f", "--follow"}, description = "keep printing new events as they come, until interrupted")
    boolean follow;

    @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "1", description = "with --follow: poll every SECONDS (default ${DEFAULT-VALUE})")
    double interval;

    @Option(names = "--follow-count", paramLabel = "N", description = "with --follow: exit after N new events; "
            + "exit 1 if --follow-timeout ends first")
    Integer followCount;

    @Option(names = "--follow-timeout", paramLabel = "SECONDS", description = "with --follow: exit after SECONDS")
    Double followTimeout;

    @Override
    protected int run() throws InterruptedException {
        if (limit < 1 || limit > 1000) {
            throw new UsageException("--limit must be between 1 and 1000, got " + limit);
        }
        if (!follow && (followCount != null || followTimeout != null)) {
            throw new UsageException("--follow-count and --follow-timeout need --follow");
        }
        if (follow && before != null) {
            throw new UsageException("--before pages back in time; it cannot be used with --follow");
        }
        if (interval < 0.05) {
            throw new UsageException("--interval needs at least 0.05 seconds, got " + interval);
        }
        ApiClient.Reply first = api().get("/api/v1/events", query(before, limit));
        if (!follow) {
            if (json) {
                printJson(api().tree(first));
            } else {
                List<Event> events = new ArrayList<>(api().read(first, EventList.class).events());
                events.sort(Comparator.comparing(Event::id));
                out().print(table(events).render());
            }
            return TributaryMain.OK;
        }
        return follow(first);
    }

    private int follow(ApiClient.Reply first) throws InterruptedException {
        List<Event> initial = new ArrayList<>(api().read(first, EventList.class).events());
        initial.sort(Comparator.comparing(Event::id));
        long lastId = initial.isEmpty() ? 0 : initial.get(initial.size() - 1).id();
        int[] widths = table(initial).widthsAtLeast(FOLLOW_WIDTHS);
        if (json) {
            for (JsonNode e : reversed(api().tree(first).path("events"))) {
                printJsonLine(e);
            }
        } else {
            out().print(table(initial).render(widths, true));
            out().flush();
        }
        Instant deadline = followTimeout == null ? null
                : clock().instant().plusMillis(Math.round(followTimeout * 1000));
        int seen = 0;
        while (followCount == null || seen < followCount) {
            if (deadline != null && !clock().instant().isBefore(deadline)) {
                if (followCount != null) {
                    err().println("error: " + seen + " of " + followCount + " events came within " + followTimeout + " s");
                    return TributaryMain.FAILED;
                }
                return TributaryMain.OK;
            }
            long sleep = Math.round(interval * 1000);
            if (deadline != null) {
                sleep = Math.max(0, Math.min(sleep, Duration.between(clock().instant(), deadline).toMillis()));
            }
            Thread.sleep(sleep);
            List<JsonNode> fresh = newerThan(lastId);
            for (JsonNode node : fresh) {
                if (followCount != null && seen >= followCount) {
                    break;
                }
                Event e = api().json().convertValue(node, Event.class);
                lastId = Math.max(lastId, e.id());
                seen++;
                if (json) {
                    printJsonLine(node);
                } else {
                    out().print(new Table("TIME", "TYPE", "STREAM", "SERVER", "GENERATION", "MESSAGE")
                            .row(cells(e)).render(widths, false));
                    out().flush();
                }
            }
        }
        return TributaryMain.OK;
    }

    /** Every event with an id above {@code lastId}, oldest first, paging back with {@code before} as needed. */
    private List<JsonNode> newerThan(long lastId) {
        List<JsonNode> out = new ArrayList<>();
        Long page = null;
        while (true) {
            JsonNode body = api().tree(api().get("/api/v1/events", query(page, 1000)));
            boolean reachedOld = false;
            for (JsonNode e : body.path("events")) {
                if (e.path("id").asLong() > lastId) {
                    out.add(e);
                } else {
                    reachedOld = true;
                }
            }
            if (reachedOld || !body.path("next").isNumber()) {
                break;
            }
            page = body.path("next").asLong();
        }
        out.sort(Comparator.comparingLong(e -> e.path("id").asLong()));
        return out;
    }

    private Map<String, Object> query(Long beforeId, int n) {
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("since", since);
        q.put("before", beforeId);
        q.put("stream", stream);
        q.put("server", server);
        q.put("type", type);
        q.put("limit", n);
        return q;
    }

    private static List<JsonNode> reversed(JsonNode array) {
        List<JsonNode> l = new ArrayList<>();
        array.forEach(n -> l.add(0, n));
        return l;
    }

    /** TIME TYPE STREAM SERVER GENERATION MESSAGE, in the order given. */
    static Table table(List<Event> events) {
        Table t = new Table("TIME", "TYPE", "STREAM", "SERVER", "GENERATION", "MESSAGE");
        for (Event e : events) {
            t.row(cells(e));
        }
        return t;
    }

    private static Object[] cells(Event e) {
        String message = e.message();
        if (e.durationMs() != null) {
            message = (message == null ? "" : message + " ") + "(" + e.durationMs() + " ms)";
        }
        return new Object[] {Units.time(e.time()), e.type(), e.stream(), e.server(), e.generation(),
                Units.truncate(message, MESSAGE_WIDTH)};
    }
}
