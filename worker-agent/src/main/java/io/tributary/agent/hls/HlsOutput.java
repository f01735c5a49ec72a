package io.tributary.agent.hls;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HLS files of one stream on disk: MPEG-TS segments and the live media playlist. Outlives a
 * single capture so a recreated capture continues the same playlist. Written from the capture's
 * thread; the getters are safe from any thread.
 */
public final class HlsOutput {
    public static final String PLAYLIST = "index.m3u8";
    /** Segments kept on disk after they left the playlist, for players that are a little behind. */
    public static final int EXTRA_SEGMENTS_ON_DISK = 4;
    private static final Pattern SEGMENT = Pattern.compile("seg-(\\d+)\\.ts");
    private static final Pattern MEDIA_SEQUENCE = Pattern.compile("#EXT-X-MEDIA-SEQUENCE:(\\d+)");
    private static final Pattern DISC_SEQUENCE = Pattern.compile("#EXT-X-DISCONTINUITY-SEQUENCE:(\\d+)");

    private final Path dir;
    private final Clock clock;
    private final MediaPlaylist playlist;
    private final Deque<Long> onDisk = new ArrayDeque<>();
    private OutputStream current;
    private String currentUri;
    private Instant currentStart;
    private long currentBytes;
    private volatile boolean hasSegment;
    private volatile SegmentListener listener;

    /** A segment this output just listed: its file, wall-clock start, media duration, number and whether a break precedes it. */
    public record FinishedSegment(Path file, Instant start, long durationMs, long sequence, boolean discontinuity,
            long bytes) {
    }

    /** Told of every listed segment on the writer's thread (the DVR recorder links it into the archive); must be quick. */
    @FunctionalInterface
    public interface SegmentListener {
        void segmentFinished(FinishedSegment segment);
    }
    /** Highest sequence this output may list (the old owner of a hand-off stops there), or -1. */
    private long lastAllowed = -1;

    public HlsOutput(Path dir, int segmentCount, int segmentDurationMs, long firstSequence, long discontinuitySequence,
            Clock clock) {
        this.dir = dir;
        this.clock = clock;
        long[] previous = readPrevious(dir.resolve(PLAYLIST));
        this.playlist = new MediaPlaylist(segmentCount, segmentDurationMs,
                Math.max(firstSequence, previous[0]), Math.max(discontinuitySequence, previous[1]));
        try {
            Files.createDirectories(dir);
            cleanDirectory();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare HLS directory " + dir, e);
        }
    }

    /** Next sequence and discontinuity count of a playlist an earlier run left behind, so we never go back. */
    private static long[] readPrevious(Path playlistFile) {
        try {
            if (!Files.exists(playlistFile)) {
                return new long[] {0, 0};
            }
            List<String> lines = Files.readAllLines(playlistFile);
            long first = 0;
            long disc = 0;
            long segments = 0;
            long tags = 0;
            for (String l : lines) {
                Matcher m = MEDIA_SEQUENCE.matcher(l);
                if (m.matches()) {
                    first = Long.parseLong(m.group(1));
                }
                m = DISC_SEQUENCE.matcher(l);
                if (m.matches()) {
                    disc = Long.parseLong(m.group(1));
                }
                if (l.startsWith("#EXTINF")) {
                    segments++;
                }
                if (l.equals("#EXT-X-DISCONTINUITY")) {
                    tags++;
                }
            }
            return new long[] {first + segments, disc + tags};
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }

    private void cleanDirectory() throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                if (Files.isRegularFile(f)) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    public Path directory() {
        return dir;
    }

    /** Sets (or with null removes) the listener of finished segments. */
    public void segmentListener(SegmentListener l) {
        listener = l;
    }

    /** A new capture takes over: continue from the assignment's numbers, never below our own. */
    public synchronized void restart(long firstSequence, long discontinuitySequence, int segmentDurationMs) {
        lastAllowed = -1;
        playlist.restart(firstSequence, discontinuitySequence, segmentDurationMs, false);
    }

    /**
     * Hand-off cut-over: list segments up to {@code sequence} and no further (the new owner lists
     * the next ones), so no sequence number is ever published with two contents. Returns false
     * when a later segment is already listed (too late to keep the numbers apart).
     */
    public synchronized boolean stopAfter(long sequence) {
        lastAllowed = sequence;
        return playlist.nextSequence() <= sequence + 1;
    }

    /** Whether the hand-off ceiling is reached: nothing more will be listed here. */
    public synchronized boolean stoppedAfterCeiling() {
        return lastAllowed >= 0 && playlist.nextSequence() > lastAllowed;
    }

    /** Another playlist window: a smaller one drops the oldest segments now (playlist rewritten), a larger one fills up. */
    public synchronized void resize(int segmentCount) {
        if (playlist.resize(segmentCount) && !playlist.isEmpty()) {
            try {
                PlaylistWriter.writeAtomically(dir.resolve(PLAYLIST), playlist.render());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot rewrite playlist in " + dir, e);
            }
        }
    }

    /** The next segment follows a break (input switch, new capture session). */
    public synchronized void markDiscontinuity() {
        playlist.markDiscontinuity();
    }

    public synchronized void startSegment() throws IOException {
        closeFile();
        if (lastAllowed >= 0 && playlist.nextSequence() > lastAllowed) {
            return; // past the hand-off ceiling: the bytes are dropped, nothing is listed
        }
        currentUri = "seg-" + playlist.nextSequence() + ".ts";
        current = Files.newOutputStream(dir.resolve(currentUri));
        currentStart = clock.instant();
        currentBytes = 0;
    }

    public boolean segmentOpen() {
        return current != null;
    }

    /** Appends muxed bytes to the open segment; bytes before the first segment are dropped. */
    public void write(byte[] bytes) throws IOException {
        OutputStream out = current;
        if (out != null) {
            out.write(bytes);
            currentBytes += bytes.length;
        }
    }

    /** Closes the open segment, lists it, rewrites the playlist and deletes segments far out of the window. */
    public synchronized void finishSegment(double durationSec) throws IOException {
        if (current == null) {
            return;
        }
        String uri = currentUri;
        closeFile();
        if (currentBytes == 0 || durationSec <= 0) {
            Files.deleteIfExists(dir.resolve(uri));
            return;
        }
        long seq = playlist.nextSequence();
        playlist.add(uri, durationSec, currentStart);
        onDisk.addLast(seq);
        PlaylistWriter.writeAtomically(dir.resolve(PLAYLIST), playlist.render());
        hasSegment = true;
        SegmentListener l = listener;
        if (l != null) {
            List<MediaPlaylist.Segment> window = playlist.segments();
            boolean disc = !window.isEmpty() && window.get(window.size() - 1).discontinuity();
            try {
                l.segmentFinished(new FinishedSegment(dir.resolve(uri), currentStart, Math.round(durationSec * 1000),
                        seq, disc, currentBytes));
            } catch (RuntimeException e) {
                // A failing listener (the DVR) never stops live HLS; it reports its own error.
            }
        }
        long keep = (long) playlist.segments().size() + EXTRA_SEGMENTS_ON_DISK;
        while (onDisk.size() > keep) {
            Files.deleteIfExists(dir.resolve("seg-" + onDisk.removeFirst() + ".ts"));
        }
    }

    /** Drops the open segment (nothing worth listing in it). */
    public synchronized void abortSegment() throws IOException {
        if (current != null) {
            String uri = currentUri;
            closeFile();
            Files.deleteIfExists(dir.resolve(uri));
        }
    }

    private void closeFile() throws IOException {
        if (current != null) {
            OutputStream out = current;
            current = null;
            out.close();
        }
    }

    public synchronized long lastSequence() {
        return playlist.lastSequence();
    }

    public synchronized long totalDiscontinuities() {
        return playlist.totalDiscontinuities();
    }

    /** The file of the newest listed segment, or null before the first. */
    public synchronized Path newestSegment() {
        List<MediaPlaylist.Segment> window = playlist.segments();
        return window.isEmpty() ? null : dir.resolve(window.get(window.size() - 1).uri());
    }

    public boolean hasSegment() {
        return hasSegment;
    }

    /** Whether {@code fileName} names a file this output serves. */
    public static boolean isServedFile(String fileName) {
        return PLAYLIST.equals(fileName) || SEGMENT.matcher(fileName).matches();
    }

    /** Removes every file (the stream left this server). */
    public synchronized void deleteAll() {
        try {
            closeFile();
            cleanDirectory();
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // Best effort: a leftover file is cleaned when the stream comes back.
        }
    }
}
