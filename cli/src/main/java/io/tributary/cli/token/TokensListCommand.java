package io.tributary.cli.token;

import io.tributary.api.token.TokenInfo;
import io.tributary.api.token.TokenList;
import io.tributary.cli.ApiClient;
import io.tributary.cli.ApiCommand;
import io.tributary.cli.Table;
import io.tributary.cli.Units;
import java.time.Clock;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code tributary tokens list}: the active tokens, without their secrets. */
@Command(name = "list", description = "List active API tokens (never their secrets).")
final class TokensListCommand extends ApiCommand {

    @Override
    protected int run() {
        ApiClient.Reply r = api().get("/api/v1/tokens");
        if (json) {
            printJson(api().tree(r));
            return 0;
        }
        out().print(table(api().read(r, TokenList.class).tokens(), clock()).render());
        return 0;
    }

    /** ID NAME ROLE CREATED LAST_USED. */
    static Table table(List<TokenInfo> tokens, Clock clock) {
        Table t = new Table("ID", "NAME", "ROLE", "CREATED", "LAST_USED");
        for (TokenInfo i : tokens) {
            t.row(i.id(), i.name(), i.role(), Units.time(i.createdAt()), Units.ago(i.lastUsedAt(), clock));
        }
        return t;
    }
}
