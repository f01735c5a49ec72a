package io.tributary.controlplane.balancer;

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

    /**
     * The chosen candidate, or null when none can take a viewer. Runs for every redirect: a few
     * passes over the candidates, allocating nothing.
     */
    public static Candidate choose(List<Candidate> candidates, Mode mode, long streamBitrate, RandomGenerator random) {
        int n = candidates.size();
        double min = Double.MAX_VALUE;
        boolean any = false;
        for (int i = 0; i < n; i++) {
            Candidate c = candidates.get(i);
            if (open(c, streamBitrate)) {
                any = true;
                min = Math.min(min, load(c, mode, streamBitrate));
            }
        }
        if (!any) {
            return null;
        }
        double bound = min + Math.max(Math.abs(min) * 0.10, 1e-9);
        // Within 10% of the lowest load, those already serving the stream if there are any.
        boolean serving = false;
        for (int i = 0; i < n && !serving; i++) {
            Candidate c = candidates.get(i);
            serving = c.servesStream() && near(c, mode, streamBitrate, bound);
        }
        int pool = 0;
        long fewest = Long.MAX_VALUE;
        Candidate only = null;
        for (int i = 0; i < n; i++) {
            Candidate c = candidates.get(i);
            if ((!serving || c.servesStream()) && near(c, mode, streamBitrate, bound)) {
                pool++;
                only = c;
                fewest = Math.min(fewest, c.pendingRedirects());
            }
        }
        if (pool == 1) {
            return only;
        }
        // Among equals, the fewest pending redirects first, so a burst spreads; then at random.
        int least = 0;
        for (int i = 0; i < n; i++) {
            Candidate c = candidates.get(i);
            if (inPool(c, mode, streamBitrate, bound, serving) && c.pendingRedirects() == fewest) {
                least++;
            }
        }
        int pick = random.nextInt(least);
        for (int i = 0; i < n; i++) {
            Candidate c = candidates.get(i);
            if (inPool(c, mode, streamBitrate, bound, serving) && c.pendingRedirects() == fewest && pick-- == 0) {
                return c;
            }
        }
        throw new IllegalStateException("unreachable");
    }

    private static boolean open(Candidate c, long streamBitrate) {
        long max = c.maxBitrate() == null || c.maxBitrate() <= 0 ? Long.MAX_VALUE : c.maxBitrate();
        return c.outputBitrate() + c.pendingRedirects() * streamBitrate < max;
    }

    private static boolean near(Candidate c, Mode mode, long streamBitrate, double bound) {
        return open(c, streamBitrate) && load(c, mode, streamBitrate) <= bound;
    }

    private static boolean inPool(Candidate c, Mode mode, long streamBitrate, double bound, boolean serving) {
        return (!serving || c.servesStream()) && near(c, mode, streamBitrate, bound);
    }

    /** Names of modes, for error messages. */
    public static final Set<String> MODES = Set.of("clients", "bitrate", "usage", "streams");
}
