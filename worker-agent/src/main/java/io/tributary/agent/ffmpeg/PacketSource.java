package io.tributary.agent.ffmpeg;

import java.util.List;

import org.bytedeco.ffmpeg.avcodec.AVPacket;

/** Where a capture's compressed packets come from: a demuxed input or the generated test pattern. */
public interface PacketSource extends AutoCloseable {
    /** The audio and video streams worth keeping, already probed. */
    List<SourceStream> streams();

    /** Reads the next packet into {@code pkt}; false at the end of the input. Throws FfmpegException. */
    boolean read(AVPacket pkt);

    @Override
    void close();
}
