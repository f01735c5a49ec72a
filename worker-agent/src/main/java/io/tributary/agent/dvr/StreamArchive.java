package io.tributary.agent.dvr;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;

import io.tributary.api.agent.DvrStatus;

/**
 * The archive of one stream on this agent: its directory ({@code {root}/{name}/yyyy/MM/dd/HH/}),
 * the index of its segments by start time (rebuilt from the file names when the agent starts),
 * its retention settings (kept in {@code settings.properties} so a deleted stream's archive still
 * expires) and its recording error. Thread-safe.
 */
public final class StreamArchive {
    /** Segments closer than this are one range (wall-clock starts jitter by a few ms). */
    static final long RANGE_GAP_MS = 1_500;
    private static final String SETTINGS = "settings.properties";

    private final String name;
    private final Path dir;
    private final TreeMap<Long, ArchiveSegment> segments = new TreeMap<>();
    private long bytes;
    private Long expiration;
    private Long storageLimit;
    private volatile String error;

    private StreamArchive(String name, Path dir) {
        this.name = name;
        this.dir = dir;
    }

    /** Opens (and indexes) the archive of {@code name} under {@code dir}; an absent directory is an empty archive. */
    public static StreamArchive open(String name, Path dir) {
        StreamArchive a = new StreamArchive(name, dir);
        a.rebuild();
        return a;
    }

    private synchronized void rebuild() {
        segments.clear();
        bytes = 0;
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir, 5)) {
            files.filter(Files::isRegularFile).forEach(f -> {
                try {
                    ArchiveSegment s = ArchiveSegment.parse(f, Files.size(f));
                    if (s != null) {
                        put(s);
                    }
                } catch (IOException e) {
                    // gone meanwhile
                }
            });
        } catch (IOException e) {
            error = "dvr_index_failed: cannot read " + dir + ": " + e.getMessage();
        }
        Path settings = dir.resolve(SETTINGS);
        if (Files.isRegularFile(settings)) {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(settings)) {
                p.load(in);
                expiration = longOrNull(p.getProperty("expiration"));
                storageLimit = longOrNull(p.getProperty("storage_limit"));
            } catch (IOException | RuntimeException e) {
                // defaults: kept until the stream's config says otherwise
            }
        }
    }

    private static Long longOrNull(String s) {
        return s == null || s.isBlank() ? null : Long.valueOf(s.trim());
    }

    private void put(ArchiveSegment s) {
        ArchiveSegment old = segments.put(s.startMs(), s);
        bytes += s.bytes() - (old == null ? 0 : old.bytes());
    }

    public String name() {
        return name;
    }

    public Path directory() {
        return dir;
    }

    /** Where a segment starting at {@code startMs} is stored: an hour folder of the UTC time. */
    public Path pathFor(long startMs, long durationMs, boolean discontinuity) {
        var t = java.time.Instant.ofEpochMilli(startMs).atZone(java.time.ZoneOffset.UTC);
        return dir.resolve(String.format("%04d/%02d/%02d/%02d", t.getYear(), t.getMonthValue(), t.getDayOfMonth(),
                t.getHour())).resolve(ArchiveSegment.fileName(startMs, durationMs, discontinuity));
    }

    public synchronized void add(ArchiveSegment s) {
        put(s);
    }

    /** Sets the retention settings from the stream's config and keeps them beside the archive. */
    public synchronized void settings(Long expirationS, Long limit) {
        if (java.util.Objects.equals(expirationS, expiration) && java.util.Objects.equals(limit, storageLimit)) {
            return;
        }
        expiration = expirationS;
        storageLimit = limit;
        try {
            Files.createDirectories(dir);
            Properties p = new Properties();
            if (expirationS != null) {
                p.setProperty("expiration", expirationS.toString());
            }
            if (limit != null) {
                p.setProperty("storage_limit", limit.toString());
            }
            try (OutputStream out = Files.newOutputStream(dir.resolve(SETTINGS))) {
                p.store(out, "retention of stream " + name);
            }
        } catch (IOException e) {
            error = "dvr_write_failed: cannot write settings in " + dir + ": " + e.getMessage();
        }
    }

    public synchronized Long expiration() {
        return expiration;
    }

    public synchronized Long storageLimit() {
        return storageLimit;
    }

    public synchronized long bytes() {
        return bytes;
    }

    public synchronized boolean isEmpty() {
        return segments.isEmpty();
    }

    public synchronized List<ArchiveSegment> all() {
        return new ArrayList<>(segments.values());
    }

    /** Segments that overlap {@code [fromMs, toMs)}, oldest first. */
    public synchronized List<ArchiveSegment> between(long fromMs, long toMs) {
        List<ArchiveSegment> out = new ArrayList<>();
        var floor = segments.floorKey(fromMs);
        for (ArchiveSegment s : segments.tailMap(floor == null ? fromMs : floor, true).values()) {
            if (s.startMs() >= toMs) {
                break;
            }
            if (s.endMs() > fromMs) {
                out.add(s);
            }
        }
        return out;
    }

    /** The segment that starts at {@code startMs}, or null. */
    public synchronized ArchiveSegment at(long startMs) {
        return segments.get(startMs);
    }

    /** Deletes the given segments' files and forgets them; empty hour folders go too. */
    public void remove(List<ArchiveSegment> gone) {
        for (ArchiveSegment s : gone) {
            synchronized (this) {
                if (segments.remove(s.startMs(), s)) {
                    bytes -= s.bytes();
                }
            }
            try {
                Files.deleteIfExists(s.file());
                Path p = s.file().getParent();
                for (int i = 0; i < 4 && p != null && !p.equals(dir); i++, p = p.getParent()) {
                    try (Stream<Path> left = Files.list(p)) {
                        if (left.findAny().isPresent()) {
                            break;
                        }
                    }
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                // the next pass tries again only for indexed files; a leftover empty folder is harmless
            }
        }
    }

    /** Deletes the whole archive. */
    public synchronized void deleteAll() {
        segments.clear();
        bytes = 0;
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort
                }
            });
        } catch (IOException e) {
            // best effort
        }
    }

    public String error() {
        return error;
    }

    public void error(String e) {
        error = e;
    }

    /** Ranges of contiguous recording, {@code [from, to]} in UNIX seconds, oldest first. */
    public synchronized List<List<Long>> ranges() {
        List<List<Long>> out = new ArrayList<>();
        long from = -1;
        long to = -1;
        for (ArchiveSegment s : segments.values()) {
            if (from < 0) {
                from = s.startMs();
                to = s.endMs();
            } else if (s.startMs() - to > RANGE_GAP_MS) {
                out.add(List.of(from / 1000, ceilSeconds(to)));
                from = s.startMs();
                to = s.endMs();
            } else {
                to = Math.max(to, s.endMs());
            }
        }
        if (from >= 0) {
            out.add(List.of(from / 1000, ceilSeconds(to)));
        }
        return out;
    }

    private static long ceilSeconds(long ms) {
        return (ms + 999) / 1000;
    }

    /** {@code recording_status.json} of this archive. */
    public synchronized DvrStatus status() {
        List<List<Long>> r = ranges();
        Long from = r.isEmpty() ? null : r.get(0).get(0);
        Long depth = r.isEmpty() ? null : r.get(r.size() - 1).get(1) - from;
        return new DvrStatus(name, from, depth, r, bytes, error);
    }
}
