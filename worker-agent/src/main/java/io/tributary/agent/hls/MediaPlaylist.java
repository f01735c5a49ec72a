package io.tributary.agent.hls;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;

/**
 * The sliding window of a live HLS media playlist. Media sequence numbers only grow; segments that
 * follow an input switch or a restart carry a discontinuity, and the discontinuity sequence counts
 * the ones that slid out of the window. Pure logic: no I/O, no clock.
 */
public final class MediaPlaylist {
    /** One finished segment. */
    public record Segment(long sequence, String uri, double durationSec, boolean discontinuity, Instant programDateTime) {
    }

    private static final DateTimeFormatter PDT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").withZone(ZoneOffset.UTC);

    private int windowSize;
    private final Deque<Segment> window = new ArrayDeque<>();
    private long nextSequence;
    private long discontinuitySequence;
    private int targetDuration;
    private boolean discontinuityPending;

    public MediaPlaylist(int windowSize, int segmentDurationMs, long firstSequence, long discontinuitySequence) {
        this.windowSize = Math.max(1, windowSize);
        this.targetDuration = (int) Math.ceil(segmentDurationMs / 1000.0);
        this.nextSequence = Math.max(0, firstSequence);
        this.discontinuitySequence = Math.max(0, discontinuitySequence);
        this.discontinuityPending = nextSequence > 0;
    }

    /**
     * Continues after a restart or a move: sequences never go back, and the next segment carries a
     * discontinuity when anything came before it.
     */
    public void restart(long firstSequence, long discontinuitySeq, int segmentDurationMs, boolean forceDiscontinuity) {
        nextSequence = Math.max(nextSequence, firstSequence);
        if (window.isEmpty()) {
            discontinuitySequence = Math.max(discontinuitySequence, discontinuitySeq);
        }
        targetDuration = Math.max(targetDuration, (int) Math.ceil(segmentDurationMs / 1000.0));
        discontinuityPending = discontinuityPending || forceDiscontinuity || nextSequence > 0;
    }

    /** Changes the window size; segments beyond a smaller window leave it now. Returns true when the window changed. */
    public boolean resize(int newWindowSize) {
        int size = Math.max(1, newWindowSize);
        if (size == windowSize) {
            return false;
        }
        windowSize = size;
        while (window.size() > windowSize) {
            if (window.removeFirst().discontinuity()) {
                discontinuitySequence++;
            }
        }
        return true;
    }

    /** The next segment follows a break in the media (input switch, capture restart). */
    public void markDiscontinuity() {
        if (nextSequence > 0 || !window.isEmpty()) {
            discontinuityPending = true;
        }
    }

    public long nextSequence() {
        return nextSequence;
    }

    /** Adds a finished segment; returns the segment that left the window, or null. */
    public Segment add(String uri, double durationSec, Instant programDateTime) {
        Segment s = new Segment(nextSequence++, uri, durationSec, discontinuityPending, programDateTime);
        discontinuityPending = false;
        window.addLast(s);
        // The target only grows: a long GOP makes a long segment, and a live playlist must never
        // carry an EXTINF above its target duration.
        targetDuration = Math.max(targetDuration, (int) Math.ceil(durationSec - 0.0005));
        if (window.size() > windowSize) {
            Segment gone = window.removeFirst();
            if (gone.discontinuity()) {
                discontinuitySequence++;
            }
            return gone;
        }
        return null;
    }

    public List<Segment> segments() {
        return List.copyOf(window);
    }

    public boolean isEmpty() {
        return window.isEmpty();
    }

    /** Sequence of the newest finished segment, or -1. */
    public long lastSequence() {
        return window.isEmpty() ? -1 : window.peekLast().sequence();
    }

    public long headerDiscontinuitySequence() {
        return discontinuitySequence;
    }

    /** The header value plus the discontinuity tags still in the window: all discontinuities so far. */
    public long totalDiscontinuities() {
        return discontinuitySequence + window.stream().filter(Segment::discontinuity).count();
    }

    public int targetDuration() {
        return targetDuration;
    }

    public String render() {
        StringBuilder b = new StringBuilder(256 + window.size() * 96);
        b.append("#EXTM3U\n#EXT-X-VERSION:3\n");
        b.append("#EXT-X-TARGETDURATION:").append(targetDuration).append('\n');
        long first = window.isEmpty() ? nextSequence : window.peekFirst().sequence();
        b.append("#EXT-X-MEDIA-SEQUENCE:").append(first).append('\n');
        b.append("#EXT-X-DISCONTINUITY-SEQUENCE:").append(discontinuitySequence).append('\n');
        for (Segment s : window) {
            if (s.discontinuity()) {
                b.append("#EXT-X-DISCONTINUITY\n");
            }
            if (s.programDateTime() != null) {
                b.append("#EXT-X-PROGRAM-DATE-TIME:").append(PDT.format(s.programDateTime())).append('\n');
            }
            b.append("#EXTINF:").append(String.format(Locale.ROOT, "%.3f", s.durationSec())).append(",\n");
            b.append(s.uri()).append('\n');
        }
        return b.toString();
    }
}
