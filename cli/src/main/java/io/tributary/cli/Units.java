package io.tributary.cli;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

/** How numbers, times and lists read in tables. */
public final class Units {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private Units() {
    }

    /** Bits per second as people read them: 850 kbit/s, 2.9 Mbit/s. */
    public static String bitrate(Long bps) {
        if (bps == null) {
            return null;
        }
        if (bps < 1_000) {
            return bps + " bit/s";
        }
        if (bps < 1_000_000) {
            return String.format(Locale.ROOT, "%d kbit/s", Math.round(bps / 1_000.0));
        }
        if (bps < 1_000_000_000) {
            return String.format(Locale.ROOT, "%.1f Mbit/s", bps / 1_000_000.0);
        }
        return String.format(Locale.ROOT, "%.2f Gbit/s", bps / 1_000_000_000.0);
    }

    /** A percentage with one decimal. */
    public static String percent(Double p) {
        return p == null ? null : String.format(Locale.ROOT, "%.1f%%", p);
    }

    /** An instant in UTC to the second: 2026-11-23 10:00:01Z. */
    public static String time(Instant t) {
        return t == null ? null : TIME.format(t.truncatedTo(ChronoUnit.SECONDS));
    }

    /** How long ago: 5s ago, 3m ago, 2h ago, 4d ago; "never" for null. */
    public static String ago(Instant t, Clock clock) {
        if (t == null) {
            return "never";
        }
        long s = Duration.between(t, clock.instant()).getSeconds();
        if (s < 1) {
            return "just now";
        }
        if (s < 60) {
            return s + "s ago";
        }
        if (s < 3600) {
            return s / 60 + "m ago";
        }
        if (s < 86_400) {
            return s / 3600 + "h ago";
        }
        return s / 86_400 + "d ago";
    }

    /** A comma-separated list, null when empty. */
    public static String list(List<String> items) {
        return items == null || items.isEmpty() ? null : String.join(",", items);
    }

    /** Cuts a long text to {@code max} characters with an ellipsis. */
    public static String truncate(String s, int max) {
        if (s == null || s.length() <= max) {
            return s;
        }
        return s.substring(0, Math.max(0, max - 3)) + "...";
    }
}
