package io.tributary.agent.ingest;

import static org.bytedeco.ffmpeg.global.avcodec.AV_PKT_FLAG_KEY;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_move_ref;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.bytedeco.ffmpeg.avcodec.AVPacket;

import io.tributary.agent.control.StreamDiff;
import io.tributary.agent.ffmpeg.FfmpegException;
import io.tributary.agent.ffmpeg.PacketSource;
import io.tributary.agent.ffmpeg.SourceStream;
import io.tributary.agent.hls.Segmenter;
import io.tributary.agent.transcode.Ladder;
import io.tributary.api.agent.StreamReport;
import io.tributary.api.stream.InputConfig;
import io.tributary.api.stream.MediaInfo;
import io.tributary.api.stream.StreamConfig;
import io.tributary.api.stream.Track;

/**
 * The owner of one running capture (one stream, one generation): its thread runs the blocking
 * FFmpeg loop (open input, demux, cut segments, mux), fails over between inputs, and on any
 * failure tears the session down and retries after a backoff. Other threads only read its
 * published state and call {@link #stop()}.
 */
public final class Capture {
    private static final System.Logger LOG = System.getLogger(Capture.class.getName());
    /** Extra time an input gets to open and probe, on top of its source_timeout. */
    private static final long OPEN_GRACE_MS = 2_000;
    private static final long SWITCH_BACK_RETRY_MS = 2_000;
    /** A paced file whose timestamps jump further than this from the wall clock restarts its pacing. */
    private static final long MAX_PACE_SKEW_NANOS = 5_000_000_000L;

    private volatile StreamConfig config;
    private final long generation;
    private final String logPrefix;
    private final List<InputConfig> inputs;
    /** Inputs the MPEG-TS pass-through found it cannot handle (they go through libavformat). */
    private final boolean[] demuxOnly;
    /** Per input, the last probe of its program (a new session with the same PMT skips the probe). */
    private final ProbedInput[] probeCache;
    private final StreamOutput output;
    private final InputOpener opener;
    private final Thread thread;
    private final Object sleepLock = new Object();
    private final long startedNanos = System.nanoTime();
    private final RateMeter bytesIn = new RateMeter();
    private final AtomicReference<Standby.Ready> ready = new AtomicReference<>();

    private volatile boolean stopping;
    private volatile Runnable firstSegmentListener = () -> { };
    private boolean firstSegmentAnnounced;
    private volatile String status = "starting";
    private volatile String lastError;
    private volatile String activeInput;
    private volatile MediaInfo mediaInfo;
    private volatile long lastFrameNanos;
    private volatile Deadline activeDeadline;
    private volatile Standby standby;
    private volatile int sessions;
    /** The session whose probe filled {@link #mediaInfo} (a PMT of that session does not overwrite it). */
    private volatile int probedSession;
    /** The transcoding ladder of the running session, when the stream has a transcoder. */
    private volatile Ladder ladder;

    public Capture(StreamConfig config, long generation, String host, StreamOutput output, InputOpener opener) {
        this.config = config;
        this.generation = generation;
        this.logPrefix = "stream=" + config.name() + " gen=" + generation + " host=" + host + ": ";
        this.inputs = InputPlan.byPriority(config.inputs());
        this.demuxOnly = new boolean[inputs.size()];
        this.probeCache = new ProbedInput[inputs.size()];
        this.output = output;
        this.opener = opener;
        this.thread = new Thread(this::run, "capture-" + config.name());
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** Called once, on the capture thread, when the capture lists its first segment (the agent reports at once). */
    public void onFirstSegment(Runnable r) {
        firstSegmentListener = r == null ? () -> { } : r;
    }

    private void announceFirstSegment() {
        if (!firstSegmentAnnounced) {
            firstSegmentAnnounced = true;
            try {
                firstSegmentListener.run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, logPrefix + "first-segment listener failed: " + e);
            }
        }
    }

    public StreamConfig config() {
        return config;
    }

    /** True when the stream takes pushes (a {@code publish://} input), over HTTP or SRT. */
    public boolean acceptsPublish() {
        return config.inputs().stream().anyMatch(i -> InputOpener.scheme(i.url()).equals("publish"));
    }

    /** Takes a config that differs only in what applies without a restart (StreamDiff decides). */
    public void reconfigure(StreamConfig newConfig) {
        this.config = newConfig;
    }

    public long generation() {
        return generation;
    }

    public StreamOutput output() {
        return output;
    }

    /** Asks the capture to stop; FFmpeg calls return through their interrupt callback. */
    public void signalStop() {
        stopping = true;
        Deadline d = activeDeadline;
        if (d != null) {
            d.cancel();
        }
        Standby s = standby;
        if (s != null) {
            s.cancel();
        }
        synchronized (sleepLock) {
            sleepLock.notifyAll();
        }
    }

    /** Stops and waits for the capture thread to release everything. */
    public void stop() {
        signalStop();
        awaitStopped();
    }

    public void awaitStopped() {
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.log(Level.WARNING, logPrefix + "capture thread did not stop within 10 s");
        }
    }

    public boolean isAlive() {
        return thread.isAlive();
    }

    public String status() {
        return status;
    }

    public String lastError() {
        return lastError;
    }

    public String activeInput() {
        return activeInput;
    }

    public int sessions() {
        return sessions;
    }

    public long bitrateIn() {
        return bytesIn.bitsPerSecond();
    }

    public StreamReport report() {
        long lf = lastFrameNanos;
        // A transcoded stream reports its first rung's playlist (all rungs cut at the same points).
        var rungs = output.rungs();
        var hls = config.transcoder() != null && !rungs.isEmpty() ? rungs.get(0).hls() : output.hls();
        long seq = hls.lastSequence();
        Ladder l = ladder;
        String error = l != null && l.overloaded() ? Ladder.OVERLOADED
                : lastError == null && l != null ? l.note() : lastError;
        return new StreamReport(config.name(), StreamDiff.reportedGeneration(config) == null ? null : generation, status,
                bytesIn.bitsPerSecond(), output.muxed().bitsPerSecond(), (System.nanoTime() - startedNanos) / 1_000_000L,
                lf == 0 ? null : (System.nanoTime() - lf) / 1_000_000L, mediaInfo, error,
                output.onlineClients(), seq < 0 ? null : seq, hls.totalDiscontinuities(),
                activeInput, hls.hasSegment());
    }

    private void run() {
        InputPlan plan = new InputPlan(inputs.size());
        Backoff backoff = new Backoff(500, 10_000);
        LOG.log(Level.INFO, logPrefix + "capture started with " + inputs.size() + " input(s)");
        while (!stopping) {
            Standby.Ready switchTo = ready.getAndSet(null);
            int index;
            PacketSource source = null;
            TsInput tsInput = null;
            AVPacket first = null;
            Deadline deadline;
            if (switchTo != null) {
                index = switchTo.index();
                source = switchTo.source();
                first = switchTo.firstPacket();
                deadline = switchTo.deadline();
                plan.succeeded(index);
                LOG.log(Level.INFO, logPrefix + "switching back to input " + inputs.get(index).url());
            } else {
                index = plan.active();
                InputConfig in = inputs.get(index);
                if (InputOpener.scheme(in.url()).equals("publish") && !waitForPublisher(in)) {
                    if (stopping) {
                        break;
                    }
                    status = "waiting";
                    lastError = "no publisher: push MPEG-TS with HTTP PUT or POST to /" + config.name() + "/mpegts";
                    afterFailure(plan, backoff, index, false);
                    continue;
                }
                deadline = new Deadline(in.effectiveSourceTimeout() * 1000L + OPEN_GRACE_MS);
                activeDeadline = deadline;
                if (stopping) {
                    break;
                }
                try {
                    if (config.transcoder() == null && !demuxOnly[index]) {
                        tsInput = opener.openPassthrough(in, output, deadline);
                    }
                    if (tsInput == null) {
                        source = opener.open(in, output, deadline);
                    }
                } catch (RuntimeException e) {
                    if (stopping) {
                        break;
                    }
                    boolean timedOut = deadline.expired();
                    fail(in, timedOut ? "no data within " + in.effectiveSourceTimeout() + " s while opening" : e.getMessage(),
                            !timedOut);
                    afterFailure(plan, backoff, index, true);
                    continue;
                }
            }
            activeDeadline = deadline;
            String reason;
            boolean isError = false;
            InputConfig in = inputs.get(index);
            try {
                reason = tsInput != null ? tsSession(tsInput, index, deadline, plan, backoff)
                        : session(source, index, first, deadline, plan, backoff);
            } catch (TsPassthrough.Unsupported e) {
                LOG.log(Level.INFO, logPrefix + "input " + in.url() + ": " + e.getMessage()
                        + "; demuxing it with libavformat instead");
                demuxOnly[index] = true;
                reason = null;
            } catch (IOException e) {
                reason = "cannot write HLS files: " + e.getMessage();
                isError = true;
            } catch (UncheckedIOException e) {
                reason = "cannot write HLS files: " + e.getCause().getMessage();
                isError = true;
            } catch (RuntimeException e) {
                isError = !deadline.expired();
                reason = deadline.expired() && !deadline.cancelled()
                        ? "no data for " + in.effectiveSourceTimeout() + " s" : String.valueOf(e.getMessage());
            } finally {
                stopStandby();
                if (source != null) {
                    source.close();
                }
                if (tsInput != null) {
                    tsInput.close();
                }
                if (first != null) {
                    av_packet_free(first);
                }
            }
            if (stopping) {
                break;
            }
            if (ready.get() != null || reason == null) {
                continue;
            }
            fail(in, reason, isError);
            afterFailure(plan, backoff, index, false);
        }
        stopStandby();
        Standby.Ready left = ready.getAndSet(null);
        if (left != null) {
            left.close();
        }
        status = "stopped";
        LOG.log(Level.INFO, logPrefix + "capture stopped");
    }

    private boolean waitForPublisher(InputConfig in) {
        long until = System.nanoTime() + in.effectiveSourceTimeout() * 1_000_000_000L;
        while (!stopping && System.nanoTime() < until) {
            if (output.publish().hasPublisher()) {
                return true;
            }
            pause(100);
        }
        return output.publish().hasPublisher();
    }

    private void fail(InputConfig in, String reason, boolean isError) {
        lastError = in.url() + ": " + reason;
        status = isError ? "error" : "waiting";
        LOG.log(Level.WARNING, logPrefix + "input " + in.url() + " failed: " + reason);
    }

    private void afterFailure(InputPlan plan, Backoff backoff, int index, boolean countRound) {
        boolean roundFailed = plan.failed(index);
        if (roundFailed) {
            pause(backoff.nextDelayMs());
        }
    }

    private void pause(long ms) {
        synchronized (sleepLock) {
            if (stopping) {
                return;
            }
            try {
                sleepLock.wait(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopping = true;
            }
        }
    }

    /** One session on one opened input: runs until the input ends, times out, fails or a better input is ready. */
    private String session(PacketSource source, int index, AVPacket first, Deadline deadline, InputPlan plan,
            Backoff backoff) throws IOException {
        InputConfig in = inputs.get(index);
        long timeoutMs = in.effectiveSourceTimeout() * 1000L;
        List<SourceStream> streams = source.streams();
        int maxIndex = streams.stream().mapToInt(SourceStream::index).max().orElse(0);
        int[] map = new int[maxIndex + 1];
        Arrays.fill(map, -1);
        int ref = -1;
        List<Track> tracks = new ArrayList<>();
        for (int i = 0; i < streams.size(); i++) {
            map[streams.get(i).index()] = i;
            tracks.add(streams.get(i).track());
            if (ref < 0 && streams.get(i).video()) {
                ref = i;
            }
        }
        if (ref < 0) {
            ref = 0;
        }
        mediaInfo = new MediaInfo(tracks);
        activeInput = in.url();
        sessions++;
        if (!"running".equals(status)) {
            status = "starting";
        }
        deadline.extend(timeoutMs);
        output.hls().markDiscontinuity();
        // The first segment ends at the first keyframe after 1 s: viewers of a moved stream wait
        // for one short segment, not a whole one (how short depends on the source's GOP).
        Segmenter segmenter = Segmenter.shortFirst(config.segmentDurationOrDefault());
        boolean firstSegmentDone = false;
        if (index > 0) {
            startStandby(index);
        }
        AVPacket pkt = av_packet_alloc();
        boolean transcode = config.transcoder() != null;
        try (Ladder lad = transcode ? new Ladder(config, streams, output, sessions == 1, System::nanoTime,
                     Ladder.DEFAULT_OVERLOAD_WINDOW_MS, Ladder.DEFAULT_THREADS, logPrefix) : null;
             io.tributary.agent.ffmpeg.TsMuxer mux =
                     transcode ? null : new io.tributary.agent.ffmpeg.TsMuxer(streams, output::onTsBytes)) {
            ladder = lad;
            boolean pending = first != null;
            if (pending) {
                av_packet_move_ref(pkt, first);
            }
            try {
                while (!stopping) {
                    if (!pending) {
                        try {
                            if (!source.read(pkt)) {
                                if (lad != null) {
                                    lad.finish();
                                }
                                return "end of stream";
                            }
                        } catch (FfmpegException e) {
                            if (ready.get() != null || stopping) {
                                return "switch";
                            }
                            throw e;
                        }
                    }
                    pending = false;
                    if (ready.get() != null) {
                        av_packet_unref(pkt);
                        return "a better input is back";
                    }
                    deadline.extend(timeoutMs);
                    int si = pkt.stream_index();
                    int out = si >= 0 && si < map.length ? map[si] : -1;
                    if (out < 0) {
                        av_packet_unref(pkt);
                        continue;
                    }
                    bytesIn.add(pkt.size());
                    lastFrameNanos = System.nanoTime();
                    SourceStream s = streams.get(out);
                    if (lad != null) {
                        lad.accept(pkt, out);
                        av_packet_unref(pkt);
                        if (!firstSegmentDone && lad.segments() > 0) {
                            firstSegmentDone = true;
                            plan.succeeded(index);
                            backoff.reset();
                            status = "running";
                            announceFirstSegment();
                        }
                        continue;
                    }
                    if (out == ref) {
                        long ts = pkt.pts() != AV_NOPTS_VALUE ? pkt.pts() : pkt.dts();
                        if (ts == AV_NOPTS_VALUE && !segmenter.isOpen()) {
                            av_packet_unref(pkt);
                            continue;
                        }
                        long ptsMs = ts == AV_NOPTS_VALUE ? Long.MIN_VALUE : toMs(ts, s);
                        long durMs = pkt.duration() > 0 ? toMs(pkt.duration(), s) : 0;
                        boolean canStart = !s.video() || (pkt.flags() & AV_PKT_FLAG_KEY) != 0;
                        Segmenter.Action action = ptsMs == Long.MIN_VALUE ? Segmenter.Action.CONTINUE
                                : segmenter.onPacket(ptsMs, durMs, canStart);
                        switch (action) {
                            case SKIP -> {
                                av_packet_unref(pkt);
                                continue;
                            }
                            case START -> {
                                mux.cut();
                                output.hls().startSegment();
                            }
                            case CUT -> {
                                mux.cut();
                                long d = segmenter.cut(ptsMs, durMs);
                                output.hls().finishSegment(d / 1000.0);
                                output.hls().startSegment();
                                if (!firstSegmentDone) {
                                    firstSegmentDone = true;
                                    plan.succeeded(index);
                                    backoff.reset();
                                    status = "running";
                                    announceFirstSegment();
                                }
                            }
                            default -> {
                            }
                        }
                    } else if (!segmenter.isOpen()) {
                        av_packet_unref(pkt);
                        continue;
                    }
                    mux.write(pkt, out);
                    av_packet_unref(pkt);
                }
                return "stopped";
            } finally {
                ladder = null;
                if (segmenter.isOpen()) {
                    mux.cut();
                    long d = segmenter.openDurationMs();
                    if (d > 0) {
                        output.hls().finishSegment(d / 1000.0);
                    } else {
                        output.hls().abortSegment();
                    }
                }
            }
        } finally {
            av_packet_free(pkt);
        }
    }

    /**
     * One session on an MPEG-TS input through the pass-through copy path: the original packets go
     * to the segments and the live clients, cut on keyframes ({@link TsPassthrough}); no demuxer,
     * no muxer. A file input is paced by its reference-track timestamps, like a live source.
     */
    private String tsSession(TsInput input, int index, Deadline deadline, InputPlan plan, Backoff backoff)
            throws IOException {
        InputConfig in = inputs.get(index);
        long timeoutMs = in.effectiveSourceTimeout() * 1000L;
        activeInput = in.url();
        boolean pushed = InputOpener.scheme(in.url()).equals("publish");
        sessions++;
        if (!"running".equals(status)) {
            status = "starting";
        }
        output.hls().markDiscontinuity();
        if (index > 0) {
            startStandby(index);
        }
        boolean[] firstSegmentDone = {false};
        TsPassthrough ts = new TsPassthrough(Segmenter.shortFirst(config.segmentDurationOrDefault()), output.hls(),
                output::onTsBytes, new TsPassthrough.Events() {
                    @Override
                    public void tracks(List<Track> tracks) {
                        MediaInfo mi = mediaInfo;
                        if (mi == null || mi.tracks().size() != tracks.size() || probedSession != sessions) {
                            mediaInfo = new MediaInfo(tracks);
                        }
                    }

                    @Override
                    public void segmentFinished() {
                        if (!firstSegmentDone[0]) {
                            firstSegmentDone[0] = true;
                            plan.succeeded(index);
                            backoff.reset();
                            status = "running";
                            announceFirstSegment();
                        }
                    }
                });
        // A file is read in larger slices (fewer wake-ups while pacing); UDP delivers one datagram a read.
        byte[] buf = new byte[input.needsPacing() ? 188 * 348 : 188 * 64];
        byte[] probe = null;
        int probeLen = 0;
        long probeStart = 0;
        boolean probed = false;
        long lastFlush = System.nanoTime();
        long paceFirstMs = Long.MIN_VALUE;
        long paceStart = 0;
        long seen = 0;
        try {
            while (!stopping) {
                if (ready.get() != null) {
                    return "a better input is back";
                }
                int n;
                try {
                    n = input.read(buf, 0, buf.length);
                } catch (IOException e) {
                    // An input error (a socket timeout, a reset), not an HLS write error.
                    throw new IllegalStateException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
                }
                if (n < 0) {
                    return "end of stream";
                }
                if (deadline.interrupted()) {
                    throw new IllegalStateException(deadline.cancelled() ? "switch" : "no data");
                }
                if (n == 0) {
                    continue;
                }
                bytesIn.add(n);
                ts.accept(buf, 0, n);
                long now = System.nanoTime();
                if (ts.mediaPackets() != seen) {
                    seen = ts.mediaPackets();
                    deadline.extend(timeoutMs);
                    lastFrameNanos = now;
                }
                // Segment files are only read once listed, so bytes wait for a full buffer or the cut,
                // unless /mpegts clients are connected: then they leave at least every 100 ms.
                if (now - lastFlush > 100_000_000L && output.fanout().clientCount() > 0) {
                    ts.flush();
                    lastFlush = now;
                }
                // (Not for a push: the next publisher may send another picture size with the same PMT.)
                if (!probed && seen > 0 && ts.hasPmt() && probeCache[index] != null && !pushed
                        && probeCache[index].pmtCrc() == ts.pmtCrc()) {
                    probed = true; // same program as last time on this input: its probe still holds
                    mediaInfo = probeCache[index].info();
                    probedSession = sessions;
                }
                // Probed after the first segment: a GOP-cache burst (a pull's first read) is cut first.
                if (!probed && seen > 0 && firstSegmentDone[0]) {
                    if (probe == null) {
                        probe = new byte[TsProbe.BYTES];
                    }
                    int c = Math.min(n, probe.length - probeLen);
                    System.arraycopy(buf, 0, probe, probeLen, c);
                    probeLen += c;
                    if (probeStart == 0) {
                        probeStart = now;
                    }
                    if (probeLen == probe.length || now - probeStart > TsProbe.MAX_WAIT_MS * 1_000_000L) {
                        probed = true;
                        if (probeTracks(probe, probeLen) && ts.hasPmt()) {
                            probeCache[index] = new ProbedInput(ts.pmtCrc(), mediaInfo);
                        }
                        probe = null;
                    }
                }
                if (input.needsPacing() && ts.lastRefMs() != Long.MIN_VALUE) {
                    long due = paceStart + (ts.lastRefMs() - paceFirstMs) * 1_000_000L;
                    if (paceFirstMs == Long.MIN_VALUE || Math.abs(due - now) > MAX_PACE_SKEW_NANOS) {
                        paceFirstMs = ts.lastRefMs(); // first timestamp, or a timestamp break
                        paceStart = now;
                        due = now;
                    }
                    pace(due, deadline, timeoutMs);
                }
            }
            return "stopped";
        } finally {
            ts.finish();
        }
    }

    /** Fills media_info from the probe of a pass-through session's first bytes (codec-only tracks stay on failure). */
    private boolean probeTracks(byte[] data, int len) {
        try {
            List<Track> t = TsProbe.probe(data, len, () -> stopping);
            mediaInfo = new MediaInfo(t);
            probedSession = sessions;
            return true;
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, logPrefix + "probe of " + activeInput + " failed: " + e.getMessage());
            return false;
        }
    }

    /** The probe of an input's program, kept while the input's PMT stays the same. */
    private record ProbedInput(int pmtCrc, MediaInfo info) {
    }

    /** Waits until {@code dueNanos} (a file played at its own speed), returning early when stopped. */
    private void pace(long dueNanos, Deadline deadline, long timeoutMs) {
        long wait;
        while ((wait = dueNanos - System.nanoTime()) > 0 && !stopping && !deadline.cancelled()) {
            deadline.extend(wait / 1_000_000L + timeoutMs);
            // One wake-up per read slice; stop() wakes it at once, a switch-back within 200 ms.
            pause(Math.max(1, Math.min(200, wait / 1_000_000L)));
        }
    }

    private static long toMs(long ts, SourceStream s) {
        return ts * 1000L * s.timeBase().num() / s.timeBase().den();
    }

    private void startStandby(int activeIndex) {
        Standby s = new Standby(inputs.subList(0, activeIndex), opener, output, SWITCH_BACK_RETRY_MS, OPEN_GRACE_MS,
                r -> {
                    ready.set(r);
                    Deadline d = activeDeadline;
                    if (d != null) {
                        d.cancel();
                    }
                }, logPrefix);
        standby = s;
        if (stopping) {
            s.cancel();
            return;
        }
        s.start();
    }

    private void stopStandby() {
        Standby s = standby;
        standby = null;
        if (s != null) {
            s.cancel();
            s.join();
        }
    }
}
