package io.tributary.cli.completion;

import io.tributary.cli.TributaryMain;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tributary completion}: shell completion scripts. */
@Command(name = "completion", description = "Print a shell completion script.",
        subcommands = CompletionBashCommand.class)
public final class CompletionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw TributaryMain.missingSubcommand(spec.commandLine());
    }
}
