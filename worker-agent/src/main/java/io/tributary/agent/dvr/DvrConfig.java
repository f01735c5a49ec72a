package io.tributary.agent.dvr;

import java.nio.file.Path;
import java.util.Map;

/**
 * Agent-wide DVR settings (environment or the agent's config file, see
 * {@link io.tributary.agent.AgentConfig#settings}): where archives live, how much disk they may use, the
 * longest archive playlist and MP4 export a request may ask for, and the size of the cache of
 * segments fetched from peers.
 *
 * @param root           {@code TRIBUTARY_DVR_ROOT}, default {@code <data dir>/dvr}
 * @param diskLimit      {@code TRIBUTARY_DVR_DISK_LIMIT} bytes of all archives on this agent; 0: no limit
 *                       (sizes take a K, M, G or T suffix, powers of 1024: {@code 20G})
 * @param minFree        {@code TRIBUTARY_DVR_MIN_FREE} bytes that must stay free on the archive's file system
 * @param maxDurationS   {@code TRIBUTARY_DVR_MAX_DURATION} longest archive playlist in seconds
 * @param maxExportS     {@code TRIBUTARY_DVR_MAX_EXPORT} longest MP4 export in seconds
 * @param cacheLimit     {@code TRIBUTARY_DVR_CACHE_LIMIT} bytes of peers' segments cached here
 * @param cleanIntervalMs {@code TRIBUTARY_DVR_CLEAN_INTERVAL_MS} pause between retention passes
 */
public record DvrConfig(Path root, long diskLimit, long minFree, long maxDurationS, long maxExportS, long cacheLimit,
        long cleanIntervalMs) {

    public static DvrConfig load(Map<String, String> env, Path defaultRoot) {
        return new DvrConfig(
                Path.of(env.getOrDefault("TRIBUTARY_DVR_ROOT", defaultRoot.toString())),
                bytes(env, "TRIBUTARY_DVR_DISK_LIMIT", 0),
                bytes(env, "TRIBUTARY_DVR_MIN_FREE", 64L << 20),
                number(env, "TRIBUTARY_DVR_MAX_DURATION", 86_400),
                number(env, "TRIBUTARY_DVR_MAX_EXPORT", 3_600),
                bytes(env, "TRIBUTARY_DVR_CACHE_LIMIT", 256L << 20),
                number(env, "TRIBUTARY_DVR_CLEAN_INTERVAL_MS", 5_000));
    }

    public static DvrConfig defaults(Path root) {
        return load(Map.of(), root);
    }

    /** A size in bytes, or with a K, M, G or T suffix (powers of 1024). */
    static long bytes(Map<String, String> env, String key, long def) {
        String v = env.get(key);
        if (v == null || v.isBlank()) {
            return def;
        }
        String t = v.trim().toUpperCase(java.util.Locale.ROOT);
        int shift = switch (t.charAt(t.length() - 1)) {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            case 'T' -> 40;
            default -> 0;
        };
        if (shift > 0 && t.length() == 1) {
            throw new IllegalArgumentException(key + " is '" + v + "': expected a whole number of bytes, e.g. 20G");
        }
        long n = number(Map.of(key, shift == 0 ? t : t.substring(0, t.length() - 1)), key, def);
        if (shift > 0 && n > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException(key + " is '" + v + "': too large");
        }
        return n << shift;
    }

    private static long number(Map<String, String> env, String key, long def) {
        String v = env.get(key);
        if (v == null || v.isBlank()) {
            return def;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n < 0) {
                throw new IllegalArgumentException(key + " is " + v + ": must not be negative");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " is '" + v + "': expected a whole number", e);
        }
    }
}
