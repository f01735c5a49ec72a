package io.tributary.agent;

import static io.tributary.agent.FfmpegTools.args;
import static io.tributary.agent.FfmpegTools.liveSource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.tributary.api.stream.InputConfig;

/** Input failover to a backup when the primary has no data, and back when the primary returns. */
class FailoverTest {
    @TempDir
    Path dir;

    @Test
    void failsOverAndSwitchesBackWithDiscontinuityAndGrowingSequence() throws Exception {
        int port = FfmpegTools.freeUdpPort();
        String primary = "udp://127.0.0.1:" + port;
        AtomicLong lastSeq = new AtomicLong(-1);
        Process sender = null;
        try (AgentHarness h = new AgentHarness(dir, Map.of())) {
            // Listed backup first: priority, not list order, decides.
            h.run(AgentHarness.stream("fo", 1000, new InputConfig("fake://backup?size=160x90&rate=25", 2, 1),
                    new InputConfig(primary, 1, 1)));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                var r = h.report("fo");
                return "running".equals(r.status()) && r.activeInput().startsWith("fake://");
            });
            assertThat(h.report("fo").lastError()).contains(primary);
            checkSequence(h, lastSeq);

            sender = FfmpegTools.ffmpeg(args(liveSource("320x180"), "-f", "mpegts", primary + "?pkt_size=1316"));
            await().atMost(Duration.ofSeconds(40)).until(() -> {
                checkSequence(h, lastSeq);
                return primary.equals(h.report("fo").activeInput());
            });
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                checkSequence(h, lastSeq);
                String pl = h.get("/fo/index.m3u8").body();
                return pl.contains("#EXT-X-DISCONTINUITY\n") && h.report("fo").mediaInfo().tracks().stream()
                        .anyMatch(t -> Integer.valueOf(320).equals(t.width()));
            });

            FfmpegTools.kill(sender);
            sender = null;
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                checkSequence(h, lastSeq);
                return h.report("fo").activeInput().startsWith("fake://");
            });
            await().atMost(Duration.ofSeconds(20)).until(() -> h.report("fo").discontinuitySequence() >= 2);
        } finally {
            FfmpegTools.kill(sender);
        }
    }

    /** The playlist's media sequence never goes back. */
    private static void checkSequence(AgentHarness h, AtomicLong last) throws Exception {
        HttpResponse<String> r = h.get("/fo/index.m3u8");
        if (r.statusCode() == 200) {
            long seq = AgentHarness.mediaSequence(r.body());
            assertThat(seq).isGreaterThanOrEqualTo(last.get());
            last.set(seq);
        }
    }
}
