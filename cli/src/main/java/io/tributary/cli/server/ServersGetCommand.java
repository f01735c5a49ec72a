package io.tributary.cli.server;

import io.tributary.cli.ApiClient;
import io.tributary.cli.ApiCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code tributary servers get HOSTNAME}: one server's settings, state and load. */
@Command(name = "get", description = "Show one server: settings, state and last reported load (YAML, or --json).")
final class ServersGetCommand extends ApiCommand {
    @Parameters(index = "0", paramLabel = "HOSTNAME", description = "server hostname")
    String hostname;

    @Override
    protected int run() {
        ApiClient.Reply r = api().get(ApiClient.path("/api/v1/servers", hostname));
        if (json) {
            printJson(api().tree(r));
        } else {
            printYaml(api().tree(r));
        }
        return 0;
    }
}
