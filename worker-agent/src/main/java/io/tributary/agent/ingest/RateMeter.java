package io.tributary.agent.ingest;

import java.util.concurrent.atomic.AtomicLong;

/** Counts bytes and turns them into bits per second over windows of at least one second. */
public final class RateMeter {
    private final AtomicLong total = new AtomicLong();
    private long sampleBytes;
    private long sampleNanos = System.nanoTime();
    private long bitsPerSecond;

    public void add(long bytes) {
        total.addAndGet(bytes);
    }

    public long total() {
        return total.get();
    }

    public synchronized long bitsPerSecond() {
        long now = System.nanoTime();
        long elapsed = now - sampleNanos;
        if (elapsed >= 1_000_000_000L) {
            long bytes = total.get();
            bitsPerSecond = (bytes - sampleBytes) * 8L * 1_000_000_000L / elapsed;
            sampleBytes = bytes;
            sampleNanos = now;
        }
        return bitsPerSecond;
    }
}
