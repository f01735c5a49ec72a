package io.tributary.agent.ffmpeg;

/** Receives the muxed MPEG-TS bytes; {@code bytes} is a fresh array the sink may keep. */
@FunctionalInterface
public interface ByteSink {
    void accept(byte[] bytes);
}
