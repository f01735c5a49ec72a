package io.tributary.cli.token;

import io.tributary.cli.ApiCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code tributary tokens revoke ID}: the token stops working at once. */
@Command(name = "revoke", description = "Revoke an API token by id (see `tokens list`); it stops working at once.")
final class TokensRevokeCommand extends ApiCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "token id")
    long id;

    @Override
    protected int run() {
        api().delete("/api/v1/tokens/" + id, null);
        if (json) {
            out().println("{}");
        } else {
            out().println("token " + id + " revoked");
        }
        return 0;
    }
}
