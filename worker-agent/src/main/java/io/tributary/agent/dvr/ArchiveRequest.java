package io.tributary.agent.dvr;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A DVR URL's last path component, parsed and checked: {@code archive-{from}-{duration}.m3u8|.mp4},
 * {@code archive-{from}-now.m3u8}, {@code recording_status.json}, {@code {from}.jpg} and the archive
 * segments {@code dvr-{startMs}-{durationMs}.ts}. A bad one carries a 4xx status and a short reason.
 */
public record ArchiveRequest(Kind kind, long fromS, long durationS, boolean now, long startMs, long durationMs,
        int errorStatus, String error) {

    public enum Kind { PLAYLIST, MP4, STATUS, THUMBNAIL, SEGMENT, INDEX, INVALID }

    /** Past this many seconds ahead of the clock a {@code from} is "in the future" (clocks differ a little). */
    static final long FUTURE_SLACK_S = 5;
    private static final Pattern ARCHIVE = Pattern.compile("archive-(\\d{1,11})-(\\d{1,9}|now)\\.(m3u8|mp4)");
    private static final Pattern THUMB = Pattern.compile("(\\d{1,11})\\.jpg");
    private static final Pattern SEGMENT = Pattern.compile("dvr-(\\d{1,15})-(\\d{1,9})\\.ts");
    public static final String STATUS_FILE = "recording_status.json";
    /** Internal: a holder's own segments of a range, asked by peers stitching an archive. */
    public static final String INDEX_FILE = "dvr_index.json";

    /** Whether a last path component is a DVR resource (else the live routes handle it). */
    public static boolean isDvr(String file) {
        return file.startsWith("archive-") || file.equals(STATUS_FILE) || file.equals(INDEX_FILE)
                || (file.startsWith("dvr-") && file.endsWith(".ts")) || (file.endsWith(".jpg") && THUMB.matcher(file).matches());
    }

    public static ArchiveRequest parse(String file, long nowMs, DvrConfig config) {
        if (file.equals(STATUS_FILE)) {
            return ok(Kind.STATUS, 0, 0, false);
        }
        if (file.equals(INDEX_FILE)) {
            return ok(Kind.INDEX, 0, 0, false);
        }
        Matcher m = SEGMENT.matcher(file);
        if (m.matches()) {
            return new ArchiveRequest(Kind.SEGMENT, 0, 0, false, Long.parseLong(m.group(1)), Long.parseLong(m.group(2)),
                    0, null);
        }
        long nowS = nowMs / 1000;
        m = THUMB.matcher(file);
        if (m.matches()) {
            long from = Long.parseLong(m.group(1));
            if (from > nowS + FUTURE_SLACK_S) {
                return bad(400, "from " + from + " is in the future (now is " + nowS + ")");
            }
            return ok(Kind.THUMBNAIL, from, 0, false);
        }
        m = ARCHIVE.matcher(file);
        if (!m.matches()) {
            return bad(400, file.startsWith("dvr-") ? "malformed archive segment name '" + file + "'"
                    : "malformed archive URL '" + file + "': expected archive-{from}-{duration}.m3u8, "
                            + "archive-{from}-now.m3u8 or archive-{from}-{duration}.mp4 (UNIX seconds, seconds)");
        }
        long from = Long.parseLong(m.group(1));
        boolean mp4 = m.group(3).equals("mp4");
        boolean now = m.group(2).equals("now");
        if (from > nowS + FUTURE_SLACK_S) {
            return bad(400, "from " + from + " is in the future (now is " + nowS + ")");
        }
        if (now && mp4) {
            return bad(400, "an MP4 export needs a duration: archive-{from}-{duration}.mp4");
        }
        long duration = now ? Math.max(1, nowS - from) : Long.parseLong(m.group(2));
        if (duration <= 0) {
            return bad(400, "duration must be at least 1 second");
        }
        long max = mp4 ? config.maxExportS() : config.maxDurationS();
        if (duration > max) {
            return bad(400, "duration " + duration + " s is over the maximum of " + max + " s"
                    + (mp4 ? " for an MP4 export (TRIBUTARY_DVR_MAX_EXPORT)" : " (TRIBUTARY_DVR_MAX_DURATION)"));
        }
        return ok(mp4 ? Kind.MP4 : Kind.PLAYLIST, from, duration, now);
    }

    private static ArchiveRequest ok(Kind k, long from, long duration, boolean now) {
        return new ArchiveRequest(k, from, duration, now, 0, 0, 0, null);
    }

    private static ArchiveRequest bad(int status, String why) {
        return new ArchiveRequest(Kind.INVALID, 0, 0, false, 0, 0, status, why);
    }

    public long fromMs() {
        return fromS * 1000;
    }

    public long toMs() {
        return (fromS + durationS) * 1000;
    }
}
