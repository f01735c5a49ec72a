package io.tributary.agent.ffmpeg;

import org.bytedeco.javacpp.BytePointer;

/** Hands bytes to a custom AVIOContext: fills {@code buf} with up to {@code size} bytes, returns the count or an AVERROR. */
@FunctionalInterface
public interface ByteReader {
    int read(BytePointer buf, int size);
}
