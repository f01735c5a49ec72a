package io.tributary.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import picocli.CommandLine;

/** Runs the CLI in-process with a made-up environment and captures what it prints. */
public final class CliRun {
    /** Exit code, standard output and standard error of one run. */
    public record Result(int exitCode, String out, String err) {
    }

    private CliRun() {
    }

    public static CliEnvironment env(Map<String, String> vars, Path home, Clock clock) {
        return new CliEnvironment(vars, home, clock, new ByteArrayInputStream(new byte[0]), false);
    }

    public static Result run(CliEnvironment env, String... args) {
        CommandLine cl = TributaryMain.commandLine(env);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    /** Parses without running; returns the command line of the leaf command. */
    public static CommandLine parse(CliEnvironment env, String... args) {
        CommandLine cl = TributaryMain.commandLine(env);
        CommandLine.ParseResult pr = cl.parseArgs(args);
        while (pr.hasSubcommand()) {
            pr = pr.subcommand();
        }
        return pr.commandSpec().commandLine();
    }
}
