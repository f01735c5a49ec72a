package io.tributary.cli.stream;

import io.tributary.cli.ApiClient;
import io.tributary.cli.ApiCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code tributary streams get NAME}: one stream's config and status. */
@Command(name = "get", description = {"Show one stream: its config and, under stats, its status.",
        "The text form is YAML that `streams put NAME -f FILE` reads back; its first line names the version "
                + "for --if-match."})
final class StreamsGetCommand extends ApiCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "stream name")
    String name;

    @Override
    protected int run() {
        ApiClient.Reply r = api().get(ApiClient.path("/api/v1/streams", name));
        if (json) {
            printJson(api().tree(r));
            return 0;
        }
        if (r.etag() != null) {
            out().println("# version " + r.etag() + " (--if-match " + r.etag() + " writes only over this version)");
        }
        printYaml(api().tree(r));
        return 0;
    }
}
