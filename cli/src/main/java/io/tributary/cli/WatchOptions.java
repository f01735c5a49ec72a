package io.tributary.cli;

import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * {@code --watch [SECONDS]}: redraw the output every few seconds until interrupted. A failed
 * frame (the control plane restarting) prints its error and the watch goes on.
 */
public final class WatchOptions {
    private static final String CLEAR = "\033[H\033[2J";

    @Option(names = "--watch", arity = "0..1", fallbackValue = "2", paramLabel = "SECONDS",
            description = "redraw every SECONDS (default 2) until interrupted")
    Double seconds;

    @Option(names = "--watch-count", hidden = true, paramLabel = "N", description = "stop after N frames (tests)")
    Integer count;

    /** One redraw. */
    @FunctionalInterface
    public interface Frame {
        void draw() throws Exception;
    }

    public boolean enabled() {
        return seconds != null;
    }

    /** Draws frames until interrupted or {@code --watch-count}; returns the exit code of the last frame. */
    public int run(ApiCommand command, boolean terminal, String title, Frame frame) throws Exception {
        if (seconds < 0.05) {
            throw new UsageException("--watch needs at least 0.05 seconds, got " + seconds);
        }
        Duration interval = Duration.ofMillis(Math.round(seconds * 1000));
        PrintWriter out = command.out();
        int code = TributaryMain.OK;
        for (int i = 0; count == null || i < count; i++) {
            if (i > 0) {
                Thread.sleep(interval.toMillis());
            }
            if (terminal) {
                out.print(CLEAR);
                out.println("Every " + seconds + "s: " + title + "    " + Units.time(command.clock().instant()));
                out.println();
            }
            try {
                frame.draw();
                code = TributaryMain.OK;
            } catch (ApiFailure | UnreachableException e) {
                command.err().println("error: " + e.getMessage());
                command.err().flush();
                code = TributaryMain.FAILED;
            }
            if (!terminal && !command.json) {
                out.println();
            }
            out.flush();
        }
        return code;
    }
}
