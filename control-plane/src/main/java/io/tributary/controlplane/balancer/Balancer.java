package io.tributary.controlplane.balancer;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Chooses the server a viewer is sent to. Pure: candidates in, one out. Load is by mode
 * (Flussonic's clients, bitrate, usage = output ÷ max_bitrate, streams) and counts the redirects
 * issued since each server's last report; among servers within 10% of the lowest load it prefers
 * those that already serve the stream, then picks at random.
 */
public final class Balancer {
    /** How load is measured. */
    public enum Mode {
        CLIENTS, BITRATE, USAGE, STREAMS;

        public static Mode parse(String s) {
            return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
        }
    }

    /** Capacity assumed for a server without max_bitrate in usage mode (bits per second). */
    static final long DEFAULT_MAX_BITRATE = 1_000_000_000L;

    /** A server that may take viewers, with its last reported load and redirects since then. */
    public record Candidate(String hostname, String publicUrl, long outputBitrate, int clients, int streams,
            Long maxBitrate, boolean servesStream, long pendingRedirects, double weight) {
    }

    private Balancer() {
    }

    /** The load a candidate would have; {@code streamBitrate} is what one more viewer adds. */
    static double load(Candidate c, Mode mode, long streamBitrate) {
        double pending = c.pendingRedirects();
        double raw = switch (mode) {
            case CLIENTS -> c.clients() + pending;
            case BITRATE -> c.outputBitrate() + pending * streamBitrate;
            case USAGE -> (c.outputBitrate() + pending * streamBitrate)
                    / (double) (c.maxBitrate() == null || c.maxBitrate() <= 0 ? DEFAULT_MAX_BITRATE : c.maxBitrate());
            case STREAMS -> c.streams() + (c.servesStream() ? 0 : 1);
        };
        return raw / (c.weight() <= 0 ? 1.0 : c.weight());
    }

    /** The chosen candidate, or null when none can take a viewer. */
    public static Candidate choose(List<Candidate> candidates, Mode mode, long streamBitrate, RandomGenerator random) {
        List<Candidate> open = new ArrayList<>();
        for (Candidate c : candidates) {
            long max = c.maxBitrate() == null || c.maxBitrate() <= 0 ? Long.MAX_VALUE : c.maxBitrate();
            if (c.outputBitrate() + c.pendingRedirects() * streamBitrate < max) {
                open.add(c);
            }
        }
        if (open.isEmpty()) {
            return null;
        }
        double min = Double.MAX_VALUE;
        for (Candidate c : open) {
            min = Math.min(min, load(c, mode, streamBitrate));
        }
        double bound = min + Math.max(Math.abs(min) * 0.10, 1e-9);
        List<Candidate> near = new ArrayList<>();
        for (Candidate c : open) {
            if (load(c, mode, streamBitrate) <= bound) {
                near.add(c);
            }
        }
        List<Candidate> serving = near.stream().filter(Candidate::servesStream).toList();
        List<Candidate> pool = serving.isEmpty() ? near : serving;
        if (pool.size() == 1) {
            return pool.get(0);
        }
        // Among equals, the fewest pending redirects first, so a burst spreads; then at random.
        long fewest = pool.stream().mapToLong(Candidate::pendingRedirects).min().orElse(0);
        List<Candidate> least = pool.stream().filter(c -> c.pendingRedirects() == fewest).toList();
        return least.get(random.nextInt(least.size()));
    }

    /** Names of modes, for error messages. */
    public static final Set<String> MODES = Set.of("clients", "bitrate", "usage", "streams");
}
