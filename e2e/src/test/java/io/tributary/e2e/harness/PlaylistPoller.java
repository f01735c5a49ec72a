package io.tributary.e2e.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Polls a live HLS media playlist like a player does and records every media sequence number it
 * saw, whether the sequence ever went back, and the discontinuities.
 */
public final class PlaylistPoller implements AutoCloseable {
    private static final Pattern MEDIA_SEQ = Pattern.compile("#EXT-X-MEDIA-SEQUENCE:(\\d+)");

    private final Supplier<String> url;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final TreeSet<Long> seen = new TreeSet<>();
    private final List<String> problems = new ArrayList<>();
    private long highestFirst = -1;
    private int discontinuities;
    private long lastNewSegmentAt = System.nanoTime();
    private long longestStallMs;

    /** {@code url} is asked on every poll (the stream may move). */
    public PlaylistPoller(Supplier<String> url, long periodMs) {
        this.url = url;
        timer.scheduleWithFixedDelay(this::poll, 0, periodMs, TimeUnit.MILLISECONDS);
    }

    private void poll() {
        String u;
        try {
            u = url.get();
        } catch (RuntimeException e) {
            return;
        }
        if (u == null) {
            return;
        }
        Api.Reply r = Api.fetch(u);
        if (r.status() != 200) {
            return;
        }
        Matcher m = MEDIA_SEQ.matcher(r.body());
        if (!m.find()) {
            return;
        }
        long first = Long.parseLong(m.group(1));
        synchronized (this) {
            if (first < highestFirst) {
                problems.add("EXT-X-MEDIA-SEQUENCE went back from " + highestFirst + " to " + first + " at " + u);
            }
            highestFirst = Math.max(highestFirst, first);
            long seq = first;
            boolean added = false;
            for (String line : r.body().split("\n")) {
                if (line.startsWith("#EXT-X-DISCONTINUITY") && !line.startsWith("#EXT-X-DISCONTINUITY-SEQUENCE")) {
                    if (!seen.contains(seq)) {
                        discontinuities++;
                    }
                } else if (!line.isEmpty() && !line.startsWith("#")) {
                    added |= seen.add(seq);
                    seq++;
                }
            }
            long now = System.nanoTime();
            if (added) {
                longestStallMs = Math.max(longestStallMs, (now - lastNewSegmentAt) / 1_000_000);
                lastNewSegmentAt = now;
            }
        }
    }

    public synchronized long highest() {
        return seen.isEmpty() ? -1 : seen.last();
    }

    public synchronized int count() {
        return seen.size();
    }

    /** Sequence numbers missing between the first and the last seen. */
    public synchronized List<Long> missing() {
        List<Long> out = new ArrayList<>();
        if (seen.isEmpty()) {
            return out;
        }
        for (long s = seen.first(); s <= seen.last(); s++) {
            if (!seen.contains(s)) {
                out.add(s);
            }
        }
        return out;
    }

    public synchronized List<String> problems() {
        return List.copyOf(problems);
    }

    public synchronized int discontinuities() {
        return discontinuities;
    }

    /** Longest time between two polls that brought a new segment. */
    public synchronized long longestStallMs() {
        return longestStallMs;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
