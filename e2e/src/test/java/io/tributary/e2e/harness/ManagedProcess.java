package io.tributary.e2e.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A child process of a test (control plane or agent) with its log file; killable with SIGKILL. */
public final class ManagedProcess {
    private final String label;
    private final List<String> command;
    private final Map<String, String> env;
    private final Path log;
    private Process process;

    ManagedProcess(String label, List<String> command, Map<String, String> env, Path log) {
        this.label = label;
        this.command = command;
        this.env = env;
        this.log = log;
    }

    public synchronized void start() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(label + " already runs");
        }
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        process = pb.start();
    }

    /** kill -9: no shutdown hook, no goodbye to the control plane. */
    public synchronized void kill9() throws InterruptedException, java.io.IOException {
        if (process != null && process.isAlive()) {
            new ProcessBuilder("kill", "-9", Long.toString(process.pid())).inheritIO().start().waitFor();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** SIGTERM, then SIGKILL after a bound. */
    public synchronized void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    public synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    public String label() {
        return label;
    }

    public Path log() {
        return log;
    }

    /** The last lines of the log, for failure messages. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
