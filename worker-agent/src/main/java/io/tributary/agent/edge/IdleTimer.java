package io.tributary.agent.edge;

/**
 * When a pulled stream has had no viewer for its clients_timeout: every request touches it, and
 * open connections (live MPEG-TS clients) keep it busy. Times are passed in (ms), so it is tested
 * without waiting.
 */
final class IdleTimer {
    private volatile long timeoutMs;
    private volatile long lastMs;

    IdleTimer(long timeoutMs, long nowMs) {
        this.timeoutMs = timeoutMs;
        this.lastMs = nowMs;
    }

    long timeoutMs() {
        return timeoutMs;
    }

    void timeoutMs(long ms) {
        timeoutMs = ms;
    }

    void touch(long nowMs) {
        if (nowMs > lastMs) {
            lastMs = nowMs;
        }
    }

    /** True once nobody asked for {@code timeoutMs} and no connection is open. */
    boolean expired(long nowMs, int openConnections) {
        if (openConnections > 0) {
            touch(nowMs);
            return false;
        }
        return nowMs - lastMs >= timeoutMs;
    }
}
