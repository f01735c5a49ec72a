package io.tributary.e2e.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL server of the test's own (through ops/lib/postgres.sh, as the ops scripts start
 * one), so a test can stop and start it without touching the machine's shared server.
 */
public final class PrivatePostgres implements AutoCloseable {
    private final Path dir;
    private final int port;

    private PrivatePostgres(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /** Whether Debian's PostgreSQL binaries are installed (else the caller skips). */
    public static boolean available() {
        try (var s = Files.list(Path.of("/usr/lib/postgresql"))) {
            return s.anyMatch(p -> Files.isExecutable(p.resolve("bin/pg_ctl")));
        } catch (IOException e) {
            return false;
        }
    }

    public static PrivatePostgres start() throws IOException, InterruptedException {
        // Under /var/tmp so the postgres user can reach it when the test runs as root.
        Path dir = Files.createTempDirectory(Path.of("/var/tmp"), "tributary-pg-");
        dir.toFile().setExecutable(true, false);
        PrivatePostgres pg = new PrivatePostgres(dir, ClusterHarness.freePort());
        pg.run("tributary_pg_start_private \"$(tributary_pg_bindir)\"");
        return pg;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    /** A fast shutdown: every connection is cut, as when the server goes away. */
    public void stop() throws IOException, InterruptedException {
        run("tributary_pg_stop_private");
    }

    public void restart() throws IOException, InterruptedException {
        run("tributary_pg_start_private \"$(tributary_pg_bindir)\"");
    }

    private void run(String command) throws IOException, InterruptedException {
        Path lib = ClusterHarness.repoRoot().resolve("ops/lib/postgres.sh");
        ProcessBuilder pb = new ProcessBuilder(List.of("bash", "-c", ". '" + lib + "' && " + command))
                .redirectErrorStream(true).redirectOutput(dir.resolve("ops.log").toFile());
        pb.environment().put("TRIBUTARY_PG_DIR", dir.toString());
        pb.environment().put("TRIBUTARY_PG_PRIVATE_PORT", Integer.toString(port));
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(command + " failed: " + Files.readString(dir.resolve("ops.log")));
        }
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (Exception ignored) {
            // best effort
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover scratch directory does no harm
        }
    }
}
