package io.tributary.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.tributary.api.stream.AssignmentInfo;
import io.tributary.api.stream.InputConfig;
import io.tributary.api.stream.StreamConfig;

/**
 * A new live MPEG-TS client (a player, or an edge's pull) starts at once: its first bytes are the
 * PAT, the PMT and then a video keyframe (the GOP cache), not whatever packet the capture muxes next.
 */
class LiveStartTest {
    @TempDir
    Path dir;

    @Test
    void newMpegtsClientGetsPatPmtThenAKeyframe() throws Exception {
        try (AgentHarness h = new AgentHarness(dir, Map.of())) {
            // GOP 1 s (fake:// puts a keyframe every `rate` frames); 500 ms segments.
            h.run(new StreamConfig("g", null, List.of(new InputConfig("fake://g?size=160x90&rate=10")), true, null,
                    null, null, null, null, 500, 4, null, null, new AssignmentInfo(1L, 0L, 0L, 10_000L)));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                HttpResponse<String> r = h.get("/g/index.m3u8");
                return r.statusCode() == 200 && AgentHarness.countSegments(r.body()) >= 3;
            });
            for (int client = 0; client < 3; client++) {
                HttpResponse<InputStream> r = h.http.send(HttpRequest.newBuilder(URI.create(h.base() + "/g/mpegts"))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofInputStream());
                assertThat(r.statusCode()).isEqualTo(200);
                try (InputStream in = r.body()) {
                    byte[] pat = in.readNBytes(188);
                    byte[] pmt = in.readNBytes(188);
                    byte[] key = in.readNBytes(188);
                    assertThat(pat[0]).isEqualTo((byte) 0x47);
                    assertThat(pid(pat)).as("first packet is the PAT").isEqualTo(0);
                    int pmtPid = pmtPidOf(pat);
                    assertThat(pid(pmt)).as("second packet is the PMT").isEqualTo(pmtPid);
                    assertThat(pmt[1] & 0x40).as("PMT starts a section").isNotZero();
                    int videoPid = videoPidOf(pmt);
                    assertThat(videoPid).as("the PMT lists a video stream").isPositive();
                    assertThat(pid(key)).as("third packet is video").isEqualTo(videoPid);
                    assertThat(key[1] & 0x40).as("third packet starts a PES").isNotZero();
                    assertThat(isKeyframe(key)).as("third packet starts a keyframe").isTrue();
                }
            }
        }
    }

    static int pid(byte[] p) {
        return ((p[1] & 0x1F) << 8) | (p[2] & 0xFF);
    }

    private static int payload(byte[] p) {
        int afc = (p[3] >> 4) & 3;
        return (afc & 2) != 0 ? 5 + (p[4] & 0xFF) : 4;
    }

    static int pmtPidOf(byte[] pat) {
        int s = payload(pat);
        s += 1 + (pat[s] & 0xFF);
        int len = ((pat[s + 1] & 0x0F) << 8) | (pat[s + 2] & 0xFF);
        for (int e = s + 8; e + 4 <= s + 3 + len - 4; e += 4) {
            if ((((pat[e] & 0xFF) << 8) | (pat[e + 1] & 0xFF)) != 0) {
                return ((pat[e + 2] & 0x1F) << 8) | (pat[e + 3] & 0xFF);
            }
        }
        return -1;
    }

    static int videoPidOf(byte[] pmt) {
        int s = payload(pmt);
        s += 1 + (pmt[s] & 0xFF);
        int len = ((pmt[s + 1] & 0x0F) << 8) | (pmt[s + 2] & 0xFF);
        int info = ((pmt[s + 10] & 0x0F) << 8) | (pmt[s + 11] & 0xFF);
        for (int e = s + 12 + info; e + 5 <= s + 3 + len - 4; ) {
            if ((pmt[e] & 0xFF) == 0x1B || (pmt[e] & 0xFF) == 0x24) {
                return ((pmt[e + 1] & 0x1F) << 8) | (pmt[e + 2] & 0xFF);
            }
            e += 5 + (((pmt[e + 3] & 0x0F) << 8) | (pmt[e + 4] & 0xFF));
        }
        return -1;
    }

    /** random_access_indicator, or an H.264 IDR/SPS NAL unit in the PES payload. */
    static boolean isKeyframe(byte[] p) {
        if (((p[3] >> 4) & 2) != 0 && (p[4] & 0xFF) > 0 && (p[5] & 0x40) != 0) {
            return true;
        }
        int s = payload(p);
        for (int i = s + 9 + (p[s + 8] & 0xFF); i + 3 < 188; i++) {
            if (p[i] == 0 && p[i + 1] == 0 && p[i + 2] == 1) {
                int t = p[i + 3] & 0x1F;
                if (t == 5 || t == 7) {
                    return true;
                }
                if (t >= 1 && t <= 4) {
                    return false;
                }
            }
        }
        return false;
    }
}
