package io.tributary.cli.token;

import io.tributary.cli.TributaryMain;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tributary tokens}: API tokens (needs an admin token). */
@Command(name = "tokens", description = "Create, list and revoke API tokens (needs an admin token).",
        subcommands = {TokensCreateCommand.class, TokensListCommand.class, TokensRevokeCommand.class})
public final class TokensCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw TributaryMain.missingSubcommand(spec.commandLine());
    }
}
