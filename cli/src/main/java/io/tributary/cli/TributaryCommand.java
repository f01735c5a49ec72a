package io.tributary.cli;

import io.tributary.cli.cluster.ClusterCommand;
import io.tributary.cli.completion.CompletionCommand;
import io.tributary.cli.event.EventsCommand;
import io.tributary.cli.server.ServersCommand;
import io.tributary.cli.stream.StreamsCommand;
import io.tributary.cli.token.TokensCommand;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The {@code tributary} command: connection options shared by every subcommand. */
@Command(name = "tributary", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT,
        versionProvider = TributaryCommand.Version.class, usageHelpAutoWidth = true,
        description = "Operate a Tributary media-server cluster through its control plane's REST API.",
        footer = {"", "Connection: --url/--token, else TRIBUTARY_URL/TRIBUTARY_TOKEN, else url= and token= in "
                + "~/.config/tributary/config, else " + Settings.DEFAULT_URL + " without a token.",
                "Exit codes: 0 done, 1 the API refused or could not be reached, 2 wrong usage."},
        subcommands = {StreamsCommand.class, ServersCommand.class, EventsCommand.class, ClusterCommand.class,
                TokensCommand.class, CompletionCommand.class})
public final class TributaryCommand implements Callable<Integer> {
    @Option(names = "--url", paramLabel = "URL", scope = ScopeType.INHERIT,
            description = "control plane URL (default: TRIBUTARY_URL, config file, " + Settings.DEFAULT_URL + ")")
    String url;

    @Option(names = "--token", paramLabel = "TOKEN", scope = ScopeType.INHERIT,
            description = "API token (default: TRIBUTARY_TOKEN, config file)")
    String token;

    @Spec
    CommandSpec spec;

    private final CliEnvironment environment;
    private ApiClient client;

    public TributaryCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    public CliEnvironment environment() {
        return environment;
    }

    @Override
    public Integer call() {
        throw TributaryMain.missingSubcommand(spec.commandLine());
    }

    /** The client for the resolved settings, made on first use. */
    public ApiClient client() {
        if (client == null) {
            client = new ApiClient(Settings.resolve(url, token, environment));
        }
        return client;
    }

    /** Prints the version filtered into version.properties at build time. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"tributary " + p.getProperty("version", "unknown")};
        }
    }
}
