package io.tributary.agent.hls;

/**
 * Decides where segments start: on a video keyframe once the segment is at least the target
 * duration long (on any packet for audio-only streams). The first segment may have a shorter
 * minimum, so a capture that just started (after a move) lists a segment sooner. Works on the
 * timestamps of one reference track, in milliseconds. Pure logic.
 */
public final class Segmenter {
    /** A jump larger than this (or backwards) is a timestamp break, not media time. */
    private static final long MAX_GAP_MS = 30_000;

    /** Minimum length of a session's first segment (bounded by the target). */
    public static final long FIRST_SEGMENT_MIN_MS = 1000;

    private final long targetMs;
    private final long firstTargetMs;
    private boolean open;
    private boolean cutOnce;
    private long startMs;
    private long endMs;

    public Segmenter(long targetMs) {
        this(targetMs, targetMs);
    }

    /** {@code firstTargetMs}: the minimum of the first segment (at most {@code targetMs}). */
    public Segmenter(long targetMs, long firstTargetMs) {
        this.targetMs = targetMs;
        this.firstTargetMs = Math.min(targetMs, firstTargetMs);
    }

    /** A segmenter whose first segment ends at the first keyframe after {@link #FIRST_SEGMENT_MIN_MS}. */
    public static Segmenter shortFirst(long targetMs) {
        return new Segmenter(targetMs, FIRST_SEGMENT_MIN_MS);
    }

    /** What to do with a reference-track packet. */
    public enum Action { SKIP, START, CONTINUE, CUT }

    /**
     * @param ptsMs  the packet's timestamp
     * @param durMs  the packet's duration (0 if unknown)
     * @param canStart a segment may start here (a video keyframe, or any audio packet without video)
     */
    public Action onPacket(long ptsMs, long durMs, boolean canStart) {
        if (!open) {
            if (!canStart) {
                return Action.SKIP;
            }
            open = true;
            startMs = ptsMs;
            endMs = ptsMs + durMs;
            return Action.START;
        }
        long elapsed = ptsMs - startMs;
        if (canStart && (elapsed >= (cutOnce ? targetMs : firstTargetMs) || elapsed < 0 || elapsed > MAX_GAP_MS)) {
            return Action.CUT;
        }
        endMs = Math.max(endMs, ptsMs + durMs);
        return Action.CONTINUE;
    }

    /** Duration in ms of the segment a CUT at {@code ptsMs} closes, then starts the next one there. */
    public long cut(long ptsMs, long durMs) {
        long d = ptsMs - startMs;
        if (d <= 0 || d > MAX_GAP_MS) {
            d = Math.max(1, endMs - startMs);
        }
        startMs = ptsMs;
        endMs = ptsMs + durMs;
        cutOnce = true;
        return d;
    }

    /** Duration in ms of the open segment as far as packets went (to close it at the end of a session). */
    public long openDurationMs() {
        return open ? Math.max(0, endMs - startMs) : 0;
    }

    public boolean isOpen() {
        return open;
    }

    public void reset() {
        open = false;
    }
}
