package io.tributary.agent.transcode;

import java.util.Locale;

import io.tributary.api.stream.Size;
import io.tributary.api.stream.VideoRung;

/** Pure arithmetic of a ladder: output sizes, GOP length, codec strings for the master playlist. */
public final class LadderPlan {
    private LadderPlan() {
    }

    /** An output size, and a note when the asked size was larger than the source and was clamped. */
    public record Dimensions(int width, int height, String note) {
    }

    /**
     * Output size of a rung for a source of {@code srcW}x{@code srcH}: -1 (or missing) keeps the
     * aspect ratio, dimensions are even, and a size larger than the source is clamped to it (keeping
     * the asked aspect), with a note saying so.
     */
    public static Dimensions size(Size asked, int srcW, int srcH, String field) {
        Integer aw = asked == null ? null : asked.width();
        Integer ah = asked == null ? null : asked.height();
        double w;
        double h;
        if ((aw == null || aw < 0) && (ah == null || ah < 0)) {
            w = srcW;
            h = srcH;
        } else if (aw == null || aw < 0) {
            h = ah;
            w = h * srcW / srcH;
        } else if (ah == null || ah < 0) {
            w = aw;
            h = w * srcH / srcW;
        } else {
            w = aw;
            h = ah;
        }
        String note = null;
        if (w > srcW || h > srcH) {
            double f = Math.min(srcW / w, srcH / h);
            note = field + " " + Math.round(w) + "x" + Math.round(h) + " is larger than the source " + srcW + "x"
                    + srcH + ": clamped";
            w = w * f;
            h = h * f;
        }
        int ew = Math.max(2, (int) Math.round(w / 2) * 2);
        int eh = Math.max(2, (int) Math.round(h / 2) * 2);
        ew = Math.min(ew, srcW - srcW % 2);
        eh = Math.min(eh, srcH - srcH % 2);
        if (note != null) {
            note += " to " + ew + "x" + eh;
        }
        return new Dimensions(ew, eh, note);
    }

    /** GOP in frames: the rung's own, else as many frames as one segment lasts (so every segment starts on a keyframe). */
    public static int gopFrames(VideoRung r, double fps, int segmentDurationMs) {
        if (r.gop() != null && r.gop() > 0) {
            return r.gop();
        }
        return Math.max(1, (int) Math.round(fps * segmentDurationMs / 1000.0));
    }

    /** RFC 6381 string of an H.264 stream from its SPS bytes (profile, constraints, level). */
    public static String avc1(int profile, int constraints, int level) {
        return String.format(Locale.ROOT, "avc1.%02x%02x%02x", profile, constraints, level);
    }

    public static String hvc1(int level) {
        return "hvc1.1.6.L" + level + ".B0";
    }

    /**
     * Finds the codec string in the first keyframe of an H.264 or HEVC Annex B packet; null if it
     * has no SPS.
     */
    public static String codecString(byte[] data, boolean hevc) {
        for (int i = 0; i + 4 < data.length; i++) {
            if (data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1) {
                int n = i + 3;
                if (!hevc && (data[n] & 0x1f) == 7 && n + 3 < data.length) {
                    return avc1(data[n + 1] & 0xff, data[n + 2] & 0xff, data[n + 3] & 0xff);
                }
                if (hevc && ((data[n] >> 1) & 0x3f) == 33 && n + 14 < data.length) {
                    // 2-byte NAL header, 1 byte of ids, 1 byte of profile, 4 + 6 bytes of flags, then level
                    return hvc1(data[n + 2 + 12] & 0xff);
                }
            }
        }
        return null;
    }
}
