package io.tributary.cli.server;

import io.tributary.cli.ApiClient;
import io.tributary.cli.ApiCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code tributary servers undrain HOSTNAME}: makes a drained server eligible for captures again. */
@Command(name = "undrain", description = "Make a drained server eligible for captures again.")
final class ServersUndrainCommand extends ApiCommand {
    @Parameters(index = "0", paramLabel = "HOSTNAME", description = "server hostname")
    String hostname;

    @Override
    protected int run() {
        ApiClient.Reply r = api().post(ApiClient.path("/api/v1/servers", hostname) + "/undrain", null);
        if (json) {
            printJson(api().tree(r));
        } else {
            out().println("server '" + hostname + "' is eligible for captures again");
        }
        return 0;
    }
}
