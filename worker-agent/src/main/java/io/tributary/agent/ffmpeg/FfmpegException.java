package io.tributary.agent.ffmpeg;

import static org.bytedeco.ffmpeg.global.avutil.av_strerror;


/** A failed FFmpeg call: names the function, its error code and FFmpeg's text for it. */
public final class FfmpegException extends RuntimeException {
    private final String function;
    private final int code;

    public FfmpegException(String function, int code) {
        super(function + " failed: " + describe(code) + " (" + code + ")");
        this.function = function;
        this.code = code;
    }

    public FfmpegException(String function, String message) {
        super(function + " failed: " + message);
        this.function = function;
        this.code = 0;
    }

    public String function() {
        return function;
    }

    public int code() {
        return code;
    }

    /** Returns {@code ret} when it is not an error, otherwise throws. */
    public static int check(String function, int ret) {
        if (ret < 0) {
            throw new FfmpegException(function, ret);
        }
        return ret;
    }

    public static String describe(int code) {
        byte[] buf = new byte[256];
        if (av_strerror(code, buf, buf.length) < 0) {
            return "unknown error";
        }
        int len = 0;
        while (len < buf.length && buf[len] != 0) {
            len++;
        }
        return new String(buf, 0, len, java.nio.charset.StandardCharsets.UTF_8);
    }
}
