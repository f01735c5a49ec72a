package io.tributary.agent.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

import io.tributary.agent.hls.HlsOutput;
import io.tributary.agent.transcode.RungOutput;
import io.tributary.agent.viewer.HlsSessions;

/**
 * Everything a stream serves, kept across capture restarts: its HLS files, its live MPEG-TS
 * clients and its publish pipe. The capture writes muxed bytes here.
 */
public final class StreamOutput {
    private final String name;
    private final HlsOutput hls;
    private final TsFanout fanout;
    private final PublishPipe publish = new PublishPipe();
    private final RateMeter muxed = new RateMeter();
    private final HlsSessions viewers;
    private final AtomicLong bytesSent;
    /** Per-rung outputs of a transcoded stream ("v1", "v2", ...), kept across capture restarts like {@link #hls}. */
    private final Map<String, RungOutput> rungs = new ConcurrentSkipListMap<>();
    /** The DVR recorder of this stream, or null: gets the segments of the HLS output, or of rung v1 when transcoded. */
    private volatile HlsOutput.SegmentListener recorder;

    public StreamOutput(String name, HlsOutput hls, AtomicLong bytesSent, Clock clock) {
        this.name = name;
        this.viewers = new HlsSessions(clock, HlsSessions.DEFAULT_TIMEOUT_MS);
        this.hls = hls;
        this.fanout = new TsFanout(bytesSent);
        this.bytesSent = bytesSent;
    }

    /** The output of rung {@code id} of a transcoded stream, or null. */
    public RungOutput rung(String id) {
        return rungs.get(id);
    }

    public List<RungOutput> rungs() {
        return List.copyOf(rungs.values());
    }

    /** Creates the output of a rung (its playlist continues what a previous run left in {@code dir}). */
    public RungOutput addRung(String id, Path dir, int segmentCount, int segmentDurationMs, long firstSequence,
            long discontinuitySequence) {
        RungOutput r = rungs.computeIfAbsent(id, k -> RungOutput.create(id, new HlsOutput(dir, segmentCount,
                segmentDurationMs, firstSequence, discontinuitySequence, Clock.systemUTC()), bytesSent));
        if (TOP_RUNG.equals(id)) {
            r.hls().segmentListener(recorder);
        }
        return r;
    }

    /** The rung the DVR records of a transcoded stream: the first of the ladder (the top one by convention). */
    static final String TOP_RUNG = "v1";

    /** Records this stream's segments to the DVR (null: stop recording): the copy path's, or rung v1's when transcoded. */
    public void recordTo(HlsOutput.SegmentListener l) {
        recorder = l;
        hls.segmentListener(l);
        RungOutput top = rungs.get(TOP_RUNG);
        if (top != null) {
            top.hls().segmentListener(l);
        }
    }

    public String name() {
        return name;
    }

    public HlsOutput hls() {
        return hls;
    }

    public TsFanout fanout() {
        return fanout;
    }

    /** HLS viewer sessions of this stream (live MPEG-TS viewers are the fanout's clients). */
    public HlsSessions hlsSessions() {
        return viewers;
    }

    /** Viewers on every protocol: HLS sessions plus open MPEG-TS connections. */
    public int onlineClients() {
        return viewers.count() + fanout.clientCount();
    }

    public PublishPipe publish() {
        return publish;
    }

    public RateMeter muxed() {
        return muxed;
    }

    /** Muxed TS bytes from the capture thread: to the open segment and to the live clients. */
    void onTsBytes(byte[] bytes) {
        muxed.add(bytes.length);
        try {
            hls.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write segment of " + name, e);
        }
        fanout.publish(bytes);
    }

    public void close() {
        fanout.closeAll();
        rungs.values().forEach(RungOutput::close);
        rungs.clear();
        hls.deleteAll();
    }
}
