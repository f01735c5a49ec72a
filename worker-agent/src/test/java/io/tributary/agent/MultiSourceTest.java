package io.tributary.agent;

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

/**
 * Explicit sources of other clusters: a stream whose inputs are the live MPEG-TS of two other
 * servers, by priority, moves to the second when the first server dies and back when it returns,
 * and its own playlist goes on (discontinuity, media sequence never back).
 */
class MultiSourceTest {
    @TempDir
    Path dirA;
    @TempDir
    Path dirA2;
    @TempDir
    Path dirB;
    @TempDir
    Path dirRelay;

    @Test
    void aStreamFailsOverBetweenExplicitSourcesOfOtherClustersAndBack() throws Exception {
        int portA = FfmpegTools.freeTcpPort();
        Map<String, String> onPortA = Map.of("TRIBUTARY_HTTP_PORT", Integer.toString(portA), "TRIBUTARY_HOSTNAME", "cluster-a");
        // The sources tell themselves apart by picture size: A 320x180, B 160x90.
        AgentHarness a = new AgentHarness(dirA, onPortA);
        try (AgentHarness b = new AgentHarness(dirB, Map.of("TRIBUTARY_HOSTNAME", "cluster-b"));
                AgentHarness relay = new AgentHarness(dirRelay, Map.of("TRIBUTARY_HOSTNAME", "relay"))) {
            a.run(AgentHarness.stream("src", 1000, new InputConfig("fake://a?size=320x180&rate=25")));
            b.run(AgentHarness.stream("src", 1000, new InputConfig("fake://b?size=160x90&rate=25")));
            String fromA = "http://127.0.0.1:" + portA + "/src/mpegts";
            String fromB = b.base() + "/src/mpegts";
            // Listed backup first: priority, not list order, decides.
            relay.run(AgentHarness.stream("relay", 1000, new InputConfig(fromB, 2, 2), new InputConfig(fromA, 1, 2)));
            AtomicLong lastSeq = new AtomicLong(-1);

            await("relay runs from cluster A").atMost(Duration.ofSeconds(40)).until(() -> {
                checkSequence(relay, lastSeq);
                var r = relay.report("relay");
                return r != null && "running".equals(r.status()) && fromA.equals(r.activeInput()) && width(relay) == 320;
            });

            a.close();
            a = null;
            await("relay moves to cluster B").atMost(Duration.ofSeconds(30)).until(() -> {
                checkSequence(relay, lastSeq);
                return fromB.equals(relay.report("relay").activeInput()) && width(relay) == 160
                        && relay.get("/relay/index.m3u8").body().contains("#EXT-X-DISCONTINUITY\n");
            });
            long onB = lastSeq.get();
            await("relay keeps cutting segments from cluster B").atMost(Duration.ofSeconds(20)).until(() -> {
                checkSequence(relay, lastSeq);
                return lastSeq.get() >= onB + 2;
            });

            a = new AgentHarness(dirA2, onPortA);
            a.run(AgentHarness.stream("src", 1000, new InputConfig("fake://a?size=320x180&rate=25")));
            await("relay switches back to cluster A").atMost(Duration.ofSeconds(40)).until(() -> {
                checkSequence(relay, lastSeq);
                return fromA.equals(relay.report("relay").activeInput()) && width(relay) == 320;
            });
            // Both switches are marked: the second one shows once the first segment from A is cut.
            await("the switch back is marked").atMost(Duration.ofSeconds(20)).until(() -> {
                checkSequence(relay, lastSeq);
                return marked(relay.get("/relay/index.m3u8").body()) >= 2;
            });
            assertThat(relay.report("relay").activeInput()).isEqualTo(fromA);
        } finally {
            if (a != null) {
                a.close();
            }
        }
    }

    private static int width(AgentHarness h) {
        var r = h.report("relay");
        if (r == null || r.mediaInfo() == null) {
            return -1;
        }
        return r.mediaInfo().tracks().stream().filter(t -> t.width() != null).mapToInt(t -> t.width()).findFirst().orElse(-1);
    }

    /** Discontinuities in the playlist's window plus those that left it (EXT-X-DISCONTINUITY-SEQUENCE). */
    private static long marked(String playlist) {
        java.util.regex.Matcher ds = java.util.regex.Pattern.compile("#EXT-X-DISCONTINUITY-SEQUENCE:(\\d+)").matcher(playlist);
        return (ds.find() ? Long.parseLong(ds.group(1)) : 0) + playlist.split("#EXT-X-DISCONTINUITY\n", -1).length - 1;
    }

    /** The playlist's media sequence never goes back. */
    private static void checkSequence(AgentHarness h, AtomicLong last) throws Exception {
        HttpResponse<String> r = h.get("/relay/index.m3u8");
        if (r.statusCode() == 200) {
            long seq = AgentHarness.mediaSequence(r.body()) + AgentHarness.countSegments(r.body()) - 1;
            assertThat(seq).as("media sequence of the last segment listed").isGreaterThanOrEqualTo(last.get());
            last.set(seq);
        }
    }
}
