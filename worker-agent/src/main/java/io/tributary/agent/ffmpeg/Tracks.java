package io.tributary.agent.ffmpeg;

import static org.bytedeco.ffmpeg.global.avcodec.avcodec_get_name;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;

import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avutil.AVRational;

import io.tributary.api.stream.Track;

/** Describes codec parameters as the API's {@link Track}. */
final class Tracks {
    private Tracks() {
    }

    static Track describe(String id, AVCodecParameters p, AVRational frameRate) {
        String codec = avcodec_get_name(p.codec_id()).getString();
        Long bitrate = p.bit_rate() > 0 ? p.bit_rate() : null;
        if (p.codec_type() == AVMEDIA_TYPE_VIDEO) {
            Double fps = frameRate != null && frameRate.num() > 0 && frameRate.den() > 0
                    ? Math.round(1000.0 * frameRate.num() / frameRate.den()) / 1000.0 : null;
            return new Track(id, "video", codec, p.width() > 0 ? p.width() : null,
                    p.height() > 0 ? p.height() : null, fps, null, null, bitrate);
        }
        int channels = p.ch_layout().nb_channels();
        return new Track(id, "audio", codec, null, null, null, p.sample_rate() > 0 ? p.sample_rate() : null,
                channels > 0 ? channels : null, bitrate);
    }
}
