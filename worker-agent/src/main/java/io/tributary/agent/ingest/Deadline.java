package io.tributary.agent.ingest;

import io.tributary.agent.ffmpeg.Interrupt;

/** Interrupts a blocking FFmpeg call once no data came for a while, or when cancelled. */
final class Deadline implements Interrupt {
    private volatile long dueNanos;
    private volatile boolean cancelled;

    Deadline(long timeoutMs) {
        extend(timeoutMs);
    }

    void extend(long timeoutMs) {
        dueNanos = System.nanoTime() + timeoutMs * 1_000_000L;
    }

    void cancel() {
        cancelled = true;
    }

    boolean expired() {
        return System.nanoTime() - dueNanos > 0;
    }

    boolean cancelled() {
        return cancelled;
    }

    @Override
    public boolean interrupted() {
        return cancelled || expired();
    }
}
