package io.tributary.cli.token;

import io.tributary.api.token.TokenInfo;
import io.tributary.api.token.TokenRequest;
import io.tributary.cli.ApiClient;
import io.tributary.cli.ApiCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tributary tokens create NAME --role ROLE}: makes a token; its secret is shown this once. */
@Command(name = "create", description = {"Create an API token. Its secret is printed this once and cannot be read again.",
        "Viewers read everything except tokens; admins also write."})
final class TokensCreateCommand extends ApiCommand {
    /** The roles a person's token can have. */
    enum Role { viewer, admin }

    @Parameters(index = "0", paramLabel = "NAME", description = "what the token is for (e.g. grafana, ci)")
    String name;

    @Option(names = "--role", paramLabel = "ROLE", defaultValue = "viewer",
            description = "viewer or admin (default ${DEFAULT-VALUE})")
    Role role;

    @Option(names = {"-q", "--quiet"}, description = "print only the secret (TOKEN=$(tributary tokens create ci -q))")
    boolean quiet;

    @Override
    protected int run() {
        ApiClient.Reply r = api().post("/api/v1/tokens", new TokenRequest(name, role.name()));
        if (json) {
            printJson(api().tree(r));
            return 0;
        }
        TokenInfo t = api().read(r, TokenInfo.class);
        if (quiet) {
            out().println(t.token());
            return 0;
        }
        out().println("token '" + t.name() + "' (" + t.role() + ") created with id " + t.id());
        out().println("secret: " + t.token());
        out().println("Keep it now: it is shown only this once. Revoke it with `tributary tokens revoke " + t.id() + "`.");
        return 0;
    }
}
