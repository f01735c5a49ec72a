package io.tributary.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/** Entry point of the {@code tributary} command: exit 0 done, 1 API or connection error, 2 usage error. */
public final class TributaryMain {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;

    private TributaryMain() {
    }

    public static void main(String[] args) {
        CommandLine cl = commandLine(CliEnvironment.system());
        int code = cl.execute(args);
        cl.getOut().flush();
        cl.getErr().flush();
        System.exit(code);
    }

    /** The command tree with Tributary's error handling, for main and for tests. */
    public static CommandLine commandLine(CliEnvironment env) {
        CommandLine cl = new CommandLine(new TributaryCommand(env));
        cl.setExecutionExceptionHandler(executionErrors());
        cl.setParameterExceptionHandler(usageErrors());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        return cl;
    }

    private static IExecutionExceptionHandler executionErrors() {
        return (ex, cmd, parseResult) -> {
            PrintWriter err = cmd.getErr();
            cmd.getOut().flush();
            if (ex instanceof UsageException) {
                err.println("error: " + ex.getMessage());
                err.println("See '" + cmd.getCommandSpec().qualifiedName() + " --help'.");
                err.flush();
                return USAGE;
            }
            if (ex instanceof ApiFailure || ex instanceof UnreachableException) {
                err.println("error: " + ex.getMessage());
            } else {
                err.println("error: unexpected " + ex);
            }
            err.flush();
            return FAILED;
        };
    }

    /** Short usage errors: the mistake, a suggestion when there is one, and where to read more. */
    private static IParameterExceptionHandler usageErrors() {
        return (ex, args) -> {
            CommandLine cmd = ex.getCommandLine();
            PrintWriter err = cmd.getErr();
            err.println("error: " + ex.getMessage());
            if (ex instanceof UnmatchedArgumentException u) {
                UnmatchedArgumentException.printSuggestions(u, err);
            }
            err.println("See '" + cmd.getCommandSpec().qualifiedName() + " --help'.");
            err.flush();
            return USAGE;
        };
    }

    /** For commands that need a subcommand: a usage error naming the choices. */
    public static ParameterException missingSubcommand(CommandLine cmd) {
        return new ParameterException(cmd, "'" + cmd.getCommandSpec().qualifiedName() + "' needs a command: "
                + String.join(", ", cmd.getSubcommands().keySet()));
    }
}
