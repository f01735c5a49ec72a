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
 * saw, whether the sequence ever went back, and the discontinuities. Given several URLs (every
 * server that runs the stream, as during a hand-off), it also records which server listed each
 * number: one number listed by two servers carries two contents, which a player must never see.
 */
public final class PlaylistPoller implements AutoCloseable {
    private static final Pattern MEDIA_SEQ = Pattern.compile("#EXT-X-MEDIA-SEQUENCE:(\\d+)");

    private final Supplier<List<String>> urls;
    /** Who listed each sequence number first (scheme://host:port of the playlist). */
    private final java.util.Map<Long, String> origin = new java.util.HashMap<>();
    private final java.util.Set<String> conflicts = new java.util.LinkedHashSet<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final TreeSet<Long> seen = new TreeSet<>();
    private final List<String> problems = new ArrayList<>();
    private final java.util.Map<String, Long> highestFirstByUrl = new java.util.HashMap<>();
    private final boolean perUrl;
    private int discontinuities;
    private long lastNewSegmentAt = System.nanoTime();
    private long longestStallMs;

    /** {@code url} is asked on every poll (the stream may move). */
    public PlaylistPoller(Supplier<String> url, long periodMs) {
        this.urls = () -> {
            String u = url.get();
            return u == null ? List.of() : List.of(u);
        };
        this.perUrl = false;
        timer.scheduleWithFixedDelay(this::poll, 0, periodMs, TimeUnit.MILLISECONDS);
    }

    private PlaylistPoller(long periodMs, Supplier<List<String>> urls) {
        this.urls = urls;
        this.perUrl = true;
        timer.scheduleWithFixedDelay(this::poll, 0, periodMs, TimeUnit.MILLISECONDS);
    }

    /** Polls every URL {@code urls} gives (asked on every poll), as one player that may be sent to any of them. */
    public static PlaylistPoller ofAll(Supplier<List<String>> urls, long periodMs) {
        return new PlaylistPoller(periodMs, urls);
    }

    private void poll() {
        List<String> us;
        try {
            us = urls.get();
        } catch (RuntimeException e) {
            return;
        }
        for (String u : us) {
            if (u != null) {
                poll(u);
            }
        }
    }

    private void poll(String u) {
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
            // ofAll: per URL (a player polls one server's playlist; two servers' windows differ).
            String key = perUrl ? u : "";
            long highestFirst = highestFirstByUrl.getOrDefault(key, -1L);
            if (first < highestFirst) {
                problems.add("EXT-X-MEDIA-SEQUENCE went back from " + highestFirst + " to " + first + " at " + u);
            }
            highestFirstByUrl.put(key, Math.max(highestFirst, first));
            long seq = first;
            boolean added = false;
            for (String line : r.body().split("\n")) {
                if (line.startsWith("#EXT-X-DISCONTINUITY") && !line.startsWith("#EXT-X-DISCONTINUITY-SEQUENCE")) {
                    if (!seen.contains(seq)) {
                        discontinuities++;
                    }
                } else if (!line.isEmpty() && !line.startsWith("#")) {
                    added |= seen.add(seq);
                    String from = java.net.URI.create(u).getAuthority();
                    String before = origin.putIfAbsent(seq, from);
                    if (before != null && !before.equals(from)) {
                        conflicts.add("media sequence " + seq + " listed by " + before + " and by " + from);
                    }
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

    /** Sequence numbers listed by two servers (two contents under one number). */
    public synchronized List<String> conflicts() {
        return List.copyOf(conflicts);
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
