package io.tributary.agent.dvr;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.tributary.agent.hls.HlsOutput;
import io.tributary.api.agent.DvrStatus;
import io.tributary.api.stream.Dvr;
import io.tributary.api.stream.StreamConfig;

/**
 * Every DVR archive on this agent: records the segments the HLS output already cut (a hard link,
 * or a copy across file systems: no second encode), applies retention by age and size on its own
 * thread, refuses to record while the agent's disk limit or the minimum free space is reached
 * (the archive reports {@code dvr_disk_full}; live HLS is untouched), and reports every archive
 * it holds, whether the stream runs here or not.
 */
public final class DvrStore implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DvrStore.class.getName());

    private final DvrConfig config;
    private final String host;
    private final Clock clock;
    private final Map<String, StreamArchive> archives = new ConcurrentHashMap<>();
    private ScheduledExecutorService cleaner;

    public DvrStore(DvrConfig config, String host, Clock clock) {
        this.config = config;
        this.host = host;
        this.clock = clock;
    }

    /** Indexes the archives left under the root by an earlier run and starts the retention cleaner. */
    public DvrStore start() {
        rebuild();
        cleaner = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dvr-retention");
            t.setDaemon(true);
            return t;
        });
        cleaner.scheduleWithFixedDelay(this::cleanQuietly, config.cleanIntervalMs(), config.cleanIntervalMs(),
                TimeUnit.MILLISECONDS);
        return this;
    }

    /** Reads every stream folder under the root (names from folder names, '~' standing for '/'). */
    public void rebuild() {
        if (!Files.isDirectory(config.root())) {
            return;
        }
        try (Stream<Path> dirs = Files.list(config.root())) {
            dirs.filter(Files::isDirectory).forEach(d -> {
                String name = d.getFileName().toString().replace('~', '/');
                StreamArchive a = StreamArchive.open(name, d);
                archives.put(name, a);
                LOG.log(Level.INFO, "stream=" + name + " host=" + host + ": DVR archive indexed, "
                        + a.all().size() + " segments, " + a.bytes() + " bytes");
            });
        } catch (IOException e) {
            LOG.log(Level.WARNING, "host=" + host + ": cannot list DVR root " + config.root() + ": " + e);
        }
    }

    public DvrConfig config() {
        return config;
    }

    public Clock clock() {
        return clock;
    }

    /** The archive of a stream on this agent, or null. */
    public StreamArchive archive(String name) {
        return archives.get(name);
    }

    /** The listener that records a stream's segments, or null when its config has no {@code dvr}. */
    public HlsOutput.SegmentListener recorder(StreamConfig cfg) {
        Dvr dvr = cfg.dvr();
        if (dvr == null) {
            return null;
        }
        Path dir = (dvr.root() == null ? config.root() : Path.of(dvr.root())).resolve(cfg.name().replace('/', '~'));
        StreamArchive a = archives.compute(cfg.name(), (n, old) -> old != null && old.directory().equals(dir) ? old
                : StreamArchive.open(n, dir));
        a.settings(dvr.expiration(), dvr.storageLimit());
        return seg -> record(a, seg);
    }

    /** Links one finished segment into the archive; failures become the archive's error, never the capture's. */
    void record(StreamArchive a, HlsOutput.FinishedSegment seg) {
        if (archives.get(a.name()) != a) {
            return; // deleted on request: nothing more is recorded until the stream's config comes again
        }
        if (config.diskLimit() > 0 && totalBytes() + seg.bytes() > config.diskLimit()) {
            clean();
            if (totalBytes() + seg.bytes() > config.diskLimit()) {
                fail(a, "dvr_disk_full: the DVR disk limit of " + config.diskLimit() + " bytes is reached");
                return;
            }
        }
        long start = seg.start().toEpochMilli();
        Path target = a.pathFor(start, seg.durationMs(), seg.discontinuity());
        try {
            Files.createDirectories(target.getParent());
            long free = Files.getFileStore(target.getParent()).getUsableSpace();
            if (free - seg.bytes() < config.minFree()) {
                fail(a, "dvr_disk_full: only " + free + " bytes free on the DVR disk (TRIBUTARY_DVR_MIN_FREE "
                        + config.minFree() + ")");
                return;
            }
            try {
                Files.createLink(target, seg.file());
            } catch (UnsupportedOperationException | FileSystemException e) {
                // another file system (or no hard links there): copy instead
                Files.copy(seg.file(), target, StandardCopyOption.REPLACE_EXISTING);
            }
            a.add(new ArchiveSegment(start, seg.durationMs(), seg.discontinuity(), seg.bytes(), target));
            if (a.error() != null) {
                LOG.log(Level.INFO, "stream=" + a.name() + " host=" + host + ": DVR records again");
            }
            a.error(null);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(target);
            } catch (IOException ignored) {
                // nothing more to do
            }
            String msg = String.valueOf(e.getMessage());
            fail(a, (msg.contains("No space left") ? "dvr_disk_full: " : "dvr_write_failed: ") + msg);
        }
    }

    private void fail(StreamArchive a, String error) {
        if (!error.equals(a.error())) {
            LOG.log(Level.WARNING, "stream=" + a.name() + " host=" + host + ": " + error + " (live HLS goes on)");
        }
        a.error(error);
    }

    public long totalBytes() {
        long sum = 0;
        for (StreamArchive a : archives.values()) {
            sum += a.bytes();
        }
        return sum;
    }

    /** One retention pass: every archive by its own expiration and storage limit. */
    public void clean() {
        long now = clock.millis();
        for (StreamArchive a : new ArrayList<>(archives.values())) {
            List<ArchiveSegment> gone = Retention.toDelete(a.all(), now, a.expiration(), a.storageLimit());
            if (!gone.isEmpty()) {
                a.remove(gone);
            }
        }
    }

    private void cleanQuietly() {
        try {
            clean();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "host=" + host + ": DVR retention pass failed: " + e);
        }
    }

    /** Deletes a stream's archive on this agent ({@code DELETE /api/v1/streams/{name}?dvr=true}). */
    public void delete(String name) {
        StreamArchive a = archives.remove(name);
        if (a != null) {
            a.deleteAll();
            LOG.log(Level.INFO, "stream=" + name + " host=" + host + ": DVR archive deleted on request");
        }
    }

    /** Every archive with something in it, or with an error: what the agent reports. */
    public List<DvrStatus> statuses() {
        List<DvrStatus> out = new ArrayList<>();
        for (StreamArchive a : archives.values()) {
            if (!a.isEmpty() || a.error() != null) {
                out.add(a.status());
            }
        }
        out.sort(java.util.Comparator.comparing(DvrStatus::name));
        return out;
    }

    @Override
    public void close() {
        if (cleaner != null) {
            cleaner.shutdownNow();
        }
    }
}
