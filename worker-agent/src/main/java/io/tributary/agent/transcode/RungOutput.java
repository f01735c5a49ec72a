package io.tributary.agent.transcode;

import java.util.concurrent.atomic.AtomicLong;

import io.tributary.agent.hls.HlsOutput;
import io.tributary.agent.ingest.TsFanout;

/** What one rung of a ladder serves, kept across capture restarts: its media playlist and segments, and its own live MPEG-TS clients. */
public record RungOutput(String id, HlsOutput hls, TsFanout fanout) {
    public static RungOutput create(String id, HlsOutput hls, AtomicLong bytesSent) {
        return new RungOutput(id, hls, new TsFanout(bytesSent));
    }

    public void close() {
        fanout.closeAll();
        hls.deleteAll();
    }
}
