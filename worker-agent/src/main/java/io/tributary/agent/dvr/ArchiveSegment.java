package io.tributary.agent.dvr;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One recorded MPEG-TS segment: wall-clock start (UNIX ms), media duration, whether a break in the
 * media precedes it, size and file. The file name carries start, duration and the break
 * ({@code 1764038400000-2000.ts}, {@code ...-2000-d.ts}), so the index is rebuilt from names alone.
 */
public record ArchiveSegment(long startMs, long durationMs, boolean discontinuity, long bytes, Path file) {
    private static final Pattern NAME = Pattern.compile("(\\d{1,15})-(\\d{1,9})(-d)?\\.ts");

    public long endMs() {
        return startMs + durationMs;
    }

    public String fileName() {
        return fileName(startMs, durationMs, discontinuity);
    }

    public static String fileName(long startMs, long durationMs, boolean discontinuity) {
        return startMs + "-" + durationMs + (discontinuity ? "-d" : "") + ".ts";
    }

    /** The segment a file name describes, or null when the name is not one of ours. */
    public static ArchiveSegment parse(Path file, long bytes) {
        Matcher m = NAME.matcher(file.getFileName().toString());
        if (!m.matches()) {
            return null;
        }
        return new ArchiveSegment(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), m.group(3) != null, bytes, file);
    }
}
