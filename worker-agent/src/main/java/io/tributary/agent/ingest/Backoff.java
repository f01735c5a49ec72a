package io.tributary.agent.ingest;

/** Exponential pause between retries of a failing capture. */
public final class Backoff {
    private final long initialMs;
    private final long maxMs;
    private long next;

    public Backoff(long initialMs, long maxMs) {
        this.initialMs = initialMs;
        this.maxMs = maxMs;
        this.next = initialMs;
    }

    public long nextDelayMs() {
        long d = next;
        next = Math.min(maxMs, next * 2);
        return d;
    }

    public void reset() {
        next = initialMs;
    }
}
