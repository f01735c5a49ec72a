package io.tributary.cli.server;

import io.tributary.cli.ApiClient;
import io.tributary.cli.ApiCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code tributary servers drain HOSTNAME}: moves every capture off a server without a gap. */
@Command(name = "drain", description = {"Drain a server: its captures move to other servers without a gap "
        + "(make before break) and it gets no new ones until undrained.",
        "Follow the moves with `tributary events --follow --server HOSTNAME`."})
final class ServersDrainCommand extends ApiCommand {
    @Parameters(index = "0", paramLabel = "HOSTNAME", description = "server hostname")
    String hostname;

    @Override
    protected int run() {
        ApiClient.Reply r = api().post(ApiClient.path("/api/v1/servers", hostname) + "/drain", null);
        if (json) {
            printJson(api().tree(r));
        } else {
            out().println("server '" + hostname + "' is draining: its captures move to other servers");
        }
        return 0;
    }
}
