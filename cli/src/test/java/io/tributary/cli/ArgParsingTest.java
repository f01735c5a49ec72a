package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ArgParsingTest {
    @TempDir
    Path home;

    private CliEnvironment env() {
        return CliRun.env(Map.of(), home, Clock.systemUTC());
    }

    private CliRun.Result run(String... args) {
        return CliRun.run(env(), args);
    }

    @Test
    void connectionOptionsWorkBeforeOrAfterTheCommand() {
        for (String[] args : new String[][] {
                {"--url", "http://cp:1", "--token", "t", "streams", "list"},
                {"streams", "list", "--url", "http://cp:1", "--token", "t"},
                {"streams", "--url", "http://cp:1", "list", "--token", "t"}}) {
            CommandLine leaf = CliRun.parse(env(), args);
            TributaryCommand root = (TributaryCommand) leaf.getCommandSpec().root().userObject();
            Settings s = root.client().settings();
            assertThat(s.url()).as(String.join(" ", args)).hasToString("http://cp:1");
            assertThat(s.token()).isEqualTo("t");
        }
    }

    @Test
    void everyNounVerbIsACommand() {
        CommandLine cl = TributaryMain.commandLine(env());
        assertThat(cl.getSubcommands()).containsOnlyKeys("streams", "servers", "events", "cluster", "tokens", "completion");
        assertThat(cl.getSubcommands().get("streams").getSubcommands())
                .containsOnlyKeys("list", "get", "put", "delete", "restart");
        assertThat(cl.getSubcommands().get("servers").getSubcommands()).containsOnlyKeys("list", "get", "drain", "undrain");
        assertThat(cl.getSubcommands().get("cluster").getSubcommands()).containsOnlyKeys("status");
        assertThat(cl.getSubcommands().get("tokens").getSubcommands()).containsOnlyKeys("create", "list", "revoke");
        assertThat(cl.getSubcommands().get("completion").getSubcommands()).containsOnlyKeys("bash");
    }

    @Test
    void unknownCommandsAndOptionsAreUsageErrorsWithExit2() {
        CliRun.Result r = run("streams", "lst");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: ").contains("'lst'").contains("streams list").contains("tributary streams --help");
        assertThat(r.out()).isEmpty();

        assertThat(run("streams", "list", "--bogus").exitCode()).isEqualTo(2);
        assertThat(run("streams", "get").err()).contains("Missing required parameter: 'NAME'");
        assertThat(run("streams", "list", "--limit", "many").exitCode()).isEqualTo(2);
        assertThat(run("tokens", "create", "ci", "--role", "root").err()).contains("viewer, admin");
        assertThat(run("tokens", "revoke", "abc").exitCode()).isEqualTo(2);
    }

    @Test
    void aNounWithoutAVerbNamesTheChoices() {
        CliRun.Result r = run("servers");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("'tributary servers' needs a command: list, get, drain, undrain");
    }

    @Test
    void mistakesFoundBeforeCallingTheApiAreUsageErrors() {
        assertThat(run("streams", "put", "x", "--merge", "-f", "s.yaml").err())
                .contains("--merge and -f cannot be used together");
        assertThat(run("streams", "put", "x", "-f", home.resolve("missing.yaml").toString()).exitCode()).isEqualTo(2);
        assertThat(run("events", "--follow-count", "1").err()).contains("need --follow");
        assertThat(run("events", "--limit", "0").err()).contains("--limit must be between 1 and 1000");
        assertThat(run("events", "--follow", "--before", "10").exitCode()).isEqualTo(2);
        CliRun.Result badUrl = run("cluster", "status", "--url", "ftp://cp");
        assertThat(badUrl.exitCode()).isEqualTo(2);
        assertThat(badUrl.err()).contains("must be http:// or https://");
    }

    @Test
    void anUnreachableControlPlaneIsExit1WithTheUrlAndWhereItCameFrom() {
        CliRun.Result r = CliRun.run(CliRun.env(Map.of("TRIBUTARY_URL", "http://127.0.0.1:1"), home, Clock.systemUTC()),
                "streams", "list");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: cannot reach the control plane at http://127.0.0.1:1 (URL from "
                + "TRIBUTARY_URL): connection refused\n");
    }

    @Test
    void watchTakesOptionalSeconds() {
        CommandLine leaf = CliRun.parse(env(), "streams", "list", "--watch");
        WatchOptions w = (WatchOptions) leaf.getMixins().get("watch");
        assertThat(w.seconds).isEqualTo(2.0);
        leaf = CliRun.parse(env(), "cluster", "status", "--watch", "0.5", "--watch-count", "3");
        w = (WatchOptions) leaf.getMixins().get("watch");
        assertThat(w.seconds).isEqualTo(0.5);
        assertThat(w.count).isEqualTo(3);
        assertThat(CliRun.parse(env(), "streams", "list").getMixins().get("watch"))
                .extracting(o -> ((WatchOptions) o).enabled()).isEqualTo(false);
    }

    @Test
    void completionScriptCoversEveryCommand() {
        CliRun.Result r = run("completion", "bash");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("#!/usr/bin/env bash").contains("complete -F").contains("tributary")
                .contains("drain").contains("undrain").contains("--follow").contains("--if-match");
    }

    @Test
    void helpAndVersionExit0() {
        CliRun.Result r = run("--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("TRIBUTARY_URL").contains("Exit codes");
        assertThat(run("streams", "put", "--help").out()).contains("--input=URL").contains("--[no-]static")
                .contains("--if-match=VERSION");
        assertThat(run("--version").out()).startsWith("tributary ");
    }
}
