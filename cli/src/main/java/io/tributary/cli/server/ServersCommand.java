package io.tributary.cli.server;

import io.tributary.cli.TributaryMain;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tributary servers}: the media servers (peers) of the cluster. */
@Command(name = "servers", description = "List and show servers; drain a server for maintenance and undrain it.",
        subcommands = {ServersListCommand.class, ServersGetCommand.class, ServersDrainCommand.class,
                ServersUndrainCommand.class})
public final class ServersCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw TributaryMain.missingSubcommand(spec.commandLine());
    }
}
