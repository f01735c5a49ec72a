package io.tributary.cli.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.api.stream.StreamConfig;
import io.tributary.api.stream.StreamList;
import io.tributary.api.stream.StreamStats;
import io.tributary.cli.ApiClient;
import io.tributary.cli.ApiCommand;
import io.tributary.cli.Table;
import io.tributary.cli.Units;
import io.tributary.cli.UsageException;
import io.tributary.cli.WatchOptions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tributary streams list}: every stream (following the API's cursors) with its status. */
@Command(name = "list", description = "List streams with their status; follows the API's pages unless --limit.")
final class StreamsListCommand extends ApiCommand {
    static final int PAGE = 1000;
    static final int LAST_ERROR_WIDTH = 60;

    @Option(names = {"-q", "--query"}, paramLabel = "TEXT", description = "only streams whose name or title contains TEXT")
    String query;

    @Option(names = "--limit", paramLabel = "N", description = "at most N streams (the JSON then carries `next` for --cursor)")
    Integer limit;

    @Option(names = "--cursor", paramLabel = "CURSOR", description = "start at this cursor (the `next` of an earlier page)")
    String cursor;

    @Mixin
    WatchOptions watch;

    @Override
    protected int run() throws Exception {
        if (limit != null && limit < 1) {
            throw new UsageException("--limit must be 1 or more, got " + limit);
        }
        if (watch.enabled()) {
            return watch.run(this, environment().terminal(), "tributary streams list", this::draw);
        }
        draw();
        return 0;
    }

    private void draw() {
        ObjectNode page = fetch();
        if (json) {
            if (watch.enabled()) {
                printJsonLine(page);
            } else {
                printJson(page);
            }
            return;
        }
        StreamList list = api().json().convertValue(page, StreamList.class);
        out().print(table(list.streams()).render());
        if (list.next() != null) {
            out().println("(more: --cursor " + list.next() + ")");
        }
    }

    /** Every page up to --limit, merged into one {@code {"streams": [...], "next": ...}}. */
    ObjectNode fetch() {
        ApiClient api = api();
        ArrayNode all = api.json().createArrayNode();
        String next = cursor;
        do {
            int want = limit == null ? PAGE : Math.min(PAGE, limit - all.size());
            Map<String, Object> q = new LinkedHashMap<>();
            q.put("limit", want);
            q.put("cursor", next);
            q.put("q", query);
            JsonNode page = api.tree(api.get("/api/v1/streams", q));
            page.path("streams").forEach(all::add);
            next = page.path("next").isTextual() ? page.path("next").asText() : null;
        } while (next != null && (limit == null || all.size() < limit));
        ObjectNode out = api.json().createObjectNode();
        out.set("streams", all);
        out.put("next", next);
        return out;
    }

    /** NAME STATUS RUNNING_ON GENERATION BITRATE CLIENTS LAST_ERROR. */
    static Table table(List<StreamConfig> streams) {
        Table t = new Table("NAME", "STATUS", "RUNNING_ON", "GENERATION", "BITRATE", "CLIENTS", "LAST_ERROR");
        for (StreamConfig s : streams) {
            StreamStats st = s.stats();
            if (st == null) {
                t.row(s.name(), null, null, null, null, null, null);
                continue;
            }
            t.row(s.name(), st.status(), Units.list(st.runningOn()), st.generation(), Units.bitrate(st.bitrate()),
                    st.onlineClients(), Units.truncate(st.lastError(), LAST_ERROR_WIDTH));
        }
        return t;
    }
}
