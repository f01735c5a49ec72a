package io.tributary.agent.ingest;

import io.tributary.agent.ffmpeg.Interrupt;

/** Interrupts a blocking FFmpeg call once no data came for a while, or when cancelled. */
final class Deadline implements Interrupt {
    private volatile long dueNanos;
    private volatile boolean cancelled;
    private volatile Runnable onCancel;

    Deadline(long timeoutMs) {
        extend(timeoutMs);
    }

    void extend(long timeoutMs) {
        dueNanos = System.nanoTime() + timeoutMs * 1_000_000L;
    }

    void cancel() {
        cancelled = true;
        Runnable r = onCancel;
        if (r != null) {
            r.run();
        }
    }

    /** Also runs {@code r} on cancel (to unblock a Java read that does not poll the deadline). */
    void onCancel(Runnable r) {
        onCancel = r;
        if (cancelled) {
            r.run();
        }
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
