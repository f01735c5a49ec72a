package io.tributary.cli;

import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * What the CLI takes from the process it runs in: environment variables, home folder, clock,
 * standard input and whether standard output is a terminal. Tests pass their own.
 */
public record CliEnvironment(Map<String, String> env, Path home, Clock clock, InputStream stdin, boolean terminal) {

    /** The real process environment; home is $HOME (Java's user.home ignores it), else user.home. */
    public static CliEnvironment system() {
        String home = System.getenv("HOME");
        return new CliEnvironment(System.getenv(),
                Path.of(home != null && home.startsWith("/") ? home : System.getProperty("user.home")),
                Clock.systemUTC(), System.in, System.console() != null);
    }

    /** The value of an environment variable, null when unset or empty. */
    public String get(String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? null : v.trim();
    }
}
