package io.tributary.agent.dvr;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Builds archive playlists from recorded segments, possibly from several servers: sorted by
 * start, a segment that overlaps one already taken is dropped (two servers recorded the same
 * moment), and a discontinuity is marked at a gap, at a change of server and where the recording
 * itself had a break. Pure logic.
 */
public final class ArchivePlaylist {
    /** A gap longer than this between one segment's end and the next one's start is a discontinuity. */
    static final long GAP_MS = 1_000;
    private static final DateTimeFormatter PDT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").withZone(ZoneOffset.UTC);

    /** One segment as listed: wall-clock start (UNIX ms), duration, break before it, holder, URI. */
    public record Entry(long startMs, long durationMs, boolean discontinuity, String host) {
        public long endMs() {
            return startMs + durationMs;
        }

        /** The URI under which every agent serves this segment: {@code dvr-{startMs}-{durationMs}.ts}. */
        public String uri() {
            return "dvr-" + startMs + "-" + durationMs + ".ts";
        }
    }

    private ArchivePlaylist() {
    }

    /** One timeline from the segments of every holder: overlaps dropped, discontinuities marked. */
    public static List<Entry> stitch(List<Entry> segments) {
        List<Entry> sorted = new ArrayList<>(segments);
        sorted.sort(Comparator.comparingLong(Entry::startMs));
        List<Entry> out = new ArrayList<>();
        Entry prev = null;
        for (Entry e : sorted) {
            if (prev != null && e.startMs() < prev.endMs() - GAP_MS / 2) {
                continue;
            }
            boolean disc = prev != null && (e.discontinuity() || !e.host().equals(prev.host())
                    || e.startMs() - prev.endMs() > GAP_MS);
            out.add(new Entry(e.startMs(), e.durationMs(), disc, e.host()));
            prev = e;
        }
        return out;
    }

    /**
     * An archive media playlist: {@code #EXT-X-PROGRAM-DATE-TIME} on every segment, and
     * {@code #EXT-X-ENDLIST} for a closed range (VOD) or {@code PLAYLIST-TYPE:EVENT} when it grows.
     */
    public static String render(List<Entry> stitched, boolean ended) {
        long target = 1;
        for (Entry e : stitched) {
            target = Math.max(target, (e.durationMs() + 999) / 1000);
        }
        StringBuilder b = new StringBuilder(128 + stitched.size() * 110);
        b.append("#EXTM3U\n#EXT-X-VERSION:3\n");
        b.append("#EXT-X-PLAYLIST-TYPE:").append(ended ? "VOD" : "EVENT").append('\n');
        b.append("#EXT-X-TARGETDURATION:").append(target).append('\n');
        b.append("#EXT-X-MEDIA-SEQUENCE:0\n");
        for (Entry e : stitched) {
            if (e.discontinuity()) {
                b.append("#EXT-X-DISCONTINUITY\n");
            }
            b.append("#EXT-X-PROGRAM-DATE-TIME:").append(PDT.format(Instant.ofEpochMilli(e.startMs()))).append('\n');
            b.append("#EXTINF:").append(String.format(Locale.ROOT, "%.3f", e.durationMs() / 1000.0)).append(",\n");
            b.append(e.uri()).append('\n');
        }
        if (ended) {
            b.append("#EXT-X-ENDLIST\n");
        }
        return b.toString();
    }
}
