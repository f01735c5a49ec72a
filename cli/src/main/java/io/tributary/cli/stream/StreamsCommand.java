package io.tributary.cli.stream;

import io.tributary.cli.TributaryMain;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tributary streams}: the live channels of the cluster. */
@Command(name = "streams", description = "List, show, create or replace, delete and restart streams.",
        subcommands = {StreamsListCommand.class, StreamsGetCommand.class, StreamsPutCommand.class,
                StreamsDeleteCommand.class, StreamsRestartCommand.class})
public final class StreamsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw TributaryMain.missingSubcommand(spec.commandLine());
    }
}
