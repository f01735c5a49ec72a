package io.tributary.agent.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

import io.tributary.agent.hls.HlsOutput;
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

    public StreamOutput(String name, HlsOutput hls, AtomicLong bytesSent, Clock clock) {
        this.name = name;
        this.viewers = new HlsSessions(clock, HlsSessions.DEFAULT_TIMEOUT_MS);
        this.hls = hls;
        this.fanout = new TsFanout(bytesSent);
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

    void close() {
        fanout.closeAll();
        hls.deleteAll();
    }
}
