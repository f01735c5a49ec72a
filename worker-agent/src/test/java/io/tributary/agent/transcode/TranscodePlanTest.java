package io.tributary.agent.transcode;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.tributary.api.stream.Size;
import io.tributary.api.stream.VideoRung;

/** Pure logic of the ladder: sizes, GOP, codec strings, master playlist, overload window. */
class TranscodePlanTest {
    @Test
    void sizesKeepAspectAreEvenAndAreClampedToTheSource() {
        assertThat(LadderPlan.size(new Size(-1, 270), 640, 360, "f")).isEqualTo(new LadderPlan.Dimensions(480, 270, null));
        assertThat(LadderPlan.size(new Size(320, -1), 640, 360, "f")).isEqualTo(new LadderPlan.Dimensions(320, 180, null));
        assertThat(LadderPlan.size(new Size(-1, 360), 1920, 1080, "f").width()).isEqualTo(640);
        // 1280x720 source, height 481 asked: width 855.1 rounds to an even 856.
        assertThat(LadderPlan.size(new Size(-1, 482), 1280, 720, "f")).isEqualTo(new LadderPlan.Dimensions(856, 482, null));
        LadderPlan.Dimensions big = LadderPlan.size(new Size(1920, 1080), 640, 360, "transcoder.video[0].size");
        assertThat(big.width()).isEqualTo(640);
        assertThat(big.height()).isEqualTo(360);
        assertThat(big.note()).isEqualTo(
                "transcoder.video[0].size 1920x1080 is larger than the source 640x360: clamped to 640x360");
        assertThat(LadderPlan.size(null, 641, 361, "f")).isEqualTo(new LadderPlan.Dimensions(640, 360, null));
    }

    @Test
    void gopDefaultsToOneSegment() {
        VideoRung r = new VideoRung(1L, null, null, null, null, null);
        assertThat(LadderPlan.gopFrames(r, 25, 2000)).isEqualTo(50);
        assertThat(LadderPlan.gopFrames(r, 29.97, 2000)).isEqualTo(60);
        assertThat(LadderPlan.gopFrames(new VideoRung(1L, null, null, 48, null, null), 25, 2000)).isEqualTo(48);
    }

    @Test
    void codecStringsComeFromTheSps() {
        byte[] avc = {0, 0, 0, 1, 0x09, (byte) 0xf0, 0, 0, 0, 1, 0x67, 0x64, 0x00, 0x1f, (byte) 0xac, 0x00};
        assertThat(LadderPlan.codecString(avc, false)).isEqualTo("avc1.64001f");
        byte[] hevcSps = new byte[24];
        hevcSps[2] = 1;
        hevcSps[3] = (byte) (33 << 1);
        hevcSps[3 + 2 + 12] = (byte) 93;
        assertThat(LadderPlan.codecString(hevcSps, true)).isEqualTo("hvc1.1.6.L93.B0");
    }

    @Test
    void masterPlaylistHasOneVariantPerRung() {
        String m = MasterPlaylist.render(List.of(
                new MasterPlaylist.Variant(900_000, 480, 270, "avc1.64001e,mp4a.40.2", 25, "v1/index.m3u8"),
                new MasterPlaylist.Variant(400_000, 320, 180, "avc1.64000d,mp4a.40.2", 25, "v2/index.m3u8")));
        assertThat(m).isEqualTo("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-INDEPENDENT-SEGMENTS\n"
                + "#EXT-X-STREAM-INF:BANDWIDTH=900000,RESOLUTION=480x270,CODECS=\"avc1.64001e,mp4a.40.2\",FRAME-RATE=25.000\n"
                + "v1/index.m3u8\n"
                + "#EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=320x180,CODECS=\"avc1.64000d,mp4a.40.2\",FRAME-RATE=25.000\n"
                + "v2/index.m3u8\n");
    }

    @Test
    void overloadComparesEncodedMediaTimeWithWallTimeOverAWindow() {
        OverloadDetector d = new OverloadDetector(1000, 0.9);
        long wall = 0;
        for (int i = 0; i < 20; i++) { // 40 ms of media per 40 ms of wall time
            d.onProgress(i * 40L, wall += 40_000_000L);
        }
        assertThat(d.overloaded()).isFalse();
        long media = 800;
        for (int i = 0; i < 40; i++) { // 40 ms of media per 50 ms of wall time
            d.onProgress(media += 40, wall += 50_000_000L);
        }
        assertThat(d.overloaded()).isTrue();
        assertThat(d.ratio()).isBetween(0.75, 0.85);
        for (int i = 0; i < 40; i++) {
            d.onProgress(media += 40, wall += 40_000_000L);
        }
        assertThat(d.overloaded()).isFalse();
    }
}
