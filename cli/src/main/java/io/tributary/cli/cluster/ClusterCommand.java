package io.tributary.cli.cluster;

import io.tributary.cli.TributaryMain;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tributary cluster}: the cluster as a whole. */
@Command(name = "cluster", description = "The cluster as a whole.", subcommands = ClusterStatusCommand.class)
public final class ClusterCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw TributaryMain.missingSubcommand(spec.commandLine());
    }
}
