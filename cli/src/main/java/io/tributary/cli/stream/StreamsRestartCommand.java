package io.tributary.cli.stream;

import io.tributary.cli.ApiClient;
import io.tributary.cli.ApiCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code tributary streams restart NAME}: asks the server that captures the stream to start it afresh. */
@Command(name = "restart", description = "Restart a stream's capture where it runs.")
final class StreamsRestartCommand extends ApiCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "stream name")
    String name;

    @Override
    protected int run() {
        ApiClient.Reply r = api().post(ApiClient.path("/api/v1/streams", name) + "/restart", null);
        if (json) {
            printJson(api().tree(r));
        } else {
            out().println("stream '" + name + "' restart requested");
        }
        return 0;
    }
}
