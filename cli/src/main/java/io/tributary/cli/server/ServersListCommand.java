package io.tributary.cli.server;

import io.tributary.api.server.ServerConfig;
import io.tributary.api.server.ServerList;
import io.tributary.api.server.ServerStats;
import io.tributary.cli.ApiClient;
import io.tributary.cli.ApiCommand;
import io.tributary.cli.Table;
import io.tributary.cli.Units;
import java.time.Clock;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code tributary servers list}: every server with its state and load. */
@Command(name = "list", description = "List servers with their state and load.")
final class ServersListCommand extends ApiCommand {

    @Override
    protected int run() {
        ApiClient.Reply r = api().get("/api/v1/servers");
        if (json) {
            printJson(api().tree(r));
            return 0;
        }
        out().print(table(api().read(r, ServerList.class).servers(), clock()).render());
        return 0;
    }

    /** HOSTNAME STATUS SCHEDULABLE ROLES STREAMS CPU OUTPUT CLIENTS LAST_SEEN. */
    static Table table(List<ServerConfig> servers, Clock clock) {
        Table t = new Table("HOSTNAME", "STATUS", "SCHEDULABLE", "ROLES", "STREAMS", "CPU", "OUTPUT", "CLIENTS", "LAST_SEEN");
        for (ServerConfig s : servers) {
            ServerStats st = s.stats();
            boolean stale = !ServerConfig.STATUS_UP.equals(s.status());
            t.row(s.hostname(), s.status(), s.schedulable(), Units.list(s.roles()),
                    st == null || stale ? null : st.onlineStreams(),
                    st == null || stale ? null : Units.percent(st.cpuUsage()),
                    st == null || stale || st.outputKbit() == null ? null : Units.bitrate(st.outputKbit() * 1000),
                    st == null || stale ? null : st.totalClients(),
                    Units.ago(s.lastSeenAt(), clock));
        }
        return t;
    }
}
