package io.tributary.agent.ffmpeg;

/** Tells a blocking FFmpeg call (open, read, write) to give up; polled by FFmpeg's interrupt callback. */
@FunctionalInterface
public interface Interrupt {
    boolean interrupted();
}
