package io.tributary.agent.ffmpeg;

import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avutil.AVRational;

import io.tributary.api.stream.Track;

/** One elementary stream of a source: its index in the source, its codec parameters and time base. */
public record SourceStream(int index, boolean video, AVCodecParameters parameters, AVRational timeBase, Track track) {
}
