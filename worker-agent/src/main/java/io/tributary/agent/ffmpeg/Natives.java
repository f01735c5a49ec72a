package io.tributary.agent.ffmpeg;

import java.util.Locale;

import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avfilter;
import org.bytedeco.ffmpeg.global.avformat;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.Loader;

/** Loads the FFmpeg natives once (avdevice is left out: it would need libpulse at run time). */
public final class Natives {
    private static final Object LOCK = new Object();
    private static boolean loaded;

    private Natives() {
    }

    public static void load(String logLevel) {
        synchronized (LOCK) {
            if (loaded) {
                return;
            }
            Loader.load(avutil.class);
            Loader.load(avcodec.class);
            Loader.load(avformat.class);
            Loader.load(avfilter.class);
            avutil.av_log_set_level(level(logLevel));
            avformat.avformat_network_init();
            loaded = true;
        }
    }

    static int level(String name) {
        return switch (name == null ? "fatal" : name.toLowerCase(Locale.ROOT)) {
            case "quiet" -> avutil.AV_LOG_QUIET;
            case "panic" -> avutil.AV_LOG_PANIC;
            case "error" -> avutil.AV_LOG_ERROR;
            case "warning" -> avutil.AV_LOG_WARNING;
            case "info" -> avutil.AV_LOG_INFO;
            case "debug" -> avutil.AV_LOG_DEBUG;
            default -> avutil.AV_LOG_FATAL;
        };
    }
}
