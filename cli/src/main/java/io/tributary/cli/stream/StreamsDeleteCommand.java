package io.tributary.cli.stream;

import io.tributary.cli.ApiClient;
import io.tributary.cli.ApiCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tributary streams delete NAME}: removes a stream; its capture stops. */
@Command(name = "delete", description = "Delete a stream; wherever it runs, its capture stops.")
final class StreamsDeleteCommand extends ApiCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "stream name")
    String name;

    @Option(names = "--if-match", paramLabel = "VERSION", description = "delete only if the stream is still at this version (409 otherwise)")
    String ifMatch;

    @Override
    protected int run() {
        api().delete(ApiClient.path("/api/v1/streams", name), ifMatch);
        if (json) {
            out().println("{}");
        } else {
            out().println("stream '" + name + "' deleted");
        }
        return 0;
    }
}
