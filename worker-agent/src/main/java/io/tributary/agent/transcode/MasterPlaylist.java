package io.tributary.agent.transcode;

import java.util.List;
import java.util.Locale;

/** The HLS master playlist of a transcoded stream: one variant per rung. Pure text. */
public final class MasterPlaylist {
    /** One variant: bandwidth in bits per second, size, RFC 6381 codecs, frame rate, URI of its media playlist. */
    public record Variant(long bandwidth, int width, int height, String codecs, double frameRate, String uri) {
    }

    private MasterPlaylist() {
    }

    public static String render(List<Variant> variants) {
        StringBuilder b = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-INDEPENDENT-SEGMENTS\n");
        for (Variant v : variants) {
            b.append("#EXT-X-STREAM-INF:BANDWIDTH=").append(v.bandwidth())
                    .append(",RESOLUTION=").append(v.width()).append('x').append(v.height());
            if (v.codecs() != null) {
                b.append(",CODECS=\"").append(v.codecs()).append('"');
            }
            if (v.frameRate() > 0) {
                b.append(",FRAME-RATE=").append(String.format(Locale.ROOT, "%.3f", v.frameRate()));
            }
            b.append('\n').append(v.uri()).append('\n');
        }
        return b.toString();
    }
}
