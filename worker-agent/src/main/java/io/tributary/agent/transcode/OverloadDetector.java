package io.tributary.agent.transcode;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Tells whether a transcoder keeps real time: over a sliding window of wall time, the media time
 * it encoded must grow at least {@code minRatio} as fast as the wall clock. Recovers (with some
 * hysteresis) once it does again. Pure logic: the caller passes the times.
 */
public final class OverloadDetector {
    private record Sample(long wallNanos, long mediaMs) {
    }

    private final long windowNanos;
    private final double minRatio;
    private final double recoverRatio;
    private final Deque<Sample> samples = new ArrayDeque<>();
    private volatile boolean overloaded;
    private volatile double lastRatio = Double.NaN;

    public OverloadDetector(long windowMs, double minRatio) {
        this.windowNanos = windowMs * 1_000_000L;
        this.minRatio = minRatio;
        this.recoverRatio = Math.min(1.0, minRatio + 0.05);
    }

    /** Records that media up to {@code mediaMs} has been encoded at wall time {@code wallNanos}. */
    public void onProgress(long mediaMs, long wallNanos) {
        Sample last = samples.peekLast();
        if (last != null && mediaMs < last.mediaMs()) {
            samples.clear(); // a timestamp break: start a new window
        }
        samples.addLast(new Sample(wallNanos, mediaMs));
        while (samples.size() > 2 && wallNanos - samples.peekFirst().wallNanos() > windowNanos) {
            samples.removeFirst();
        }
        Sample first = samples.peekFirst();
        long wall = wallNanos - first.wallNanos();
        if (wall < windowNanos * 9 / 10) {
            return; // not a full window yet
        }
        double ratio = (mediaMs - first.mediaMs()) * 1_000_000.0 / wall;
        lastRatio = ratio;
        if (ratio < minRatio) {
            overloaded = true;
        } else if (ratio >= recoverRatio) {
            overloaded = false;
        }
    }

    public boolean overloaded() {
        return overloaded;
    }

    /** Encoded media time per wall time over the last full window (NaN before one). */
    public double ratio() {
        return lastRatio;
    }
}
