package io.tributary.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the repository's scripts as separate processes and captures what they print. */
final class Shell {

    /** What a finished command left behind. */
    record Result(List<String> command, int exitCode, String output) {
        Result assertSuccess() {
            assertThat(exitCode).as("exit code of %s; output:%n%s", command, output).isZero();
            return this;
        }

        Result assertFailure() {
            assertThat(exitCode).as("exit code of %s; output:%n%s", command, output).isNotZero();
            return this;
        }
    }

    private Shell() {
    }

    /** The repository root: TRIBUTARY_REPO_ROOT (set by the e2e pom), else found upward from here. */
    static Path repoRoot() {
        String env = System.getenv("TRIBUTARY_REPO_ROOT");
        if (env != null && !env.isBlank() && Files.isRegularFile(Path.of(env, "ops", "cluster"))) {
            return Path.of(env).toAbsolutePath();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("ops/cluster"))) {
                return p;
            }
        }
        throw new IllegalStateException("repository root not found: set TRIBUTARY_REPO_ROOT");
    }

    static boolean onPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    static boolean isRoot() {
        try {
            return run(List.of("id", "-u"), Map.of(), null, Duration.ofSeconds(10)).output().strip().equals("0");
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Runs command in the repository root with extra environment (a null value removes the
     * key), stdin from a file when given, output (stdout and stderr) to a file so a daemon
     * the command leaves running cannot hold our pipe open.
     */
    static Result run(List<String> command, Map<String, String> env, Path stdin, Duration timeout) {
        try {
            Path out = Files.createTempFile("tributary-e2e-", ".out");
            try {
                ProcessBuilder pb = new ProcessBuilder(command)
                        .directory(repoRoot().toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(out.toFile());
                pb.redirectInput(stdin == null ? ProcessBuilder.Redirect.from(new File("/dev/null"))
                        : ProcessBuilder.Redirect.from(stdin.toFile()));
                env.forEach((k, v) -> {
                    if (v == null) {
                        pb.environment().remove(k);
                    } else {
                        pb.environment().put(k, v);
                    }
                });
                Process process = pb.start();
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    throw new AssertionError(command + " did not finish within " + timeout + "; output:\n"
                            + new String(Files.readAllBytes(out), StandardCharsets.UTF_8));
                }
                return new Result(command, process.exitValue(), new String(Files.readAllBytes(out), StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }
}
