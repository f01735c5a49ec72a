package io.tributary.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.e2e.harness.Api;
import io.tributary.e2e.harness.ClusterHarness;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A full DVR disk in a real cluster (control plane + 1 agent as processes) while live goes on:
 * a stream recorded onto a real 3 MB tmpfs that fills up (ENOSPC), and a stream recorded until
 * the agent-wide disk limit ({@code TRIBUTARY_DVR_DISK_LIMIT}). Each time the stream's stats show
 * {@code dvr_error}, the live playlist keeps advancing, the archive index still reads and every
 * stored segment is whole; a freed disk clears the error.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DvrFullDiskTest {
    /** Agent-wide limit: far above what the tmpfs holds, reached by the second stream in some seconds. */
    static final long DISK_LIMIT = 1_200_000;
    static final long TMPFS_BYTES = 3L << 20;
    /** Free space left on the tmpfs by the filler file: a few seconds of recording. */
    static final long TMPFS_FREE = 160_000;

    private ClusterHarness cluster;
    private Api api;
    private String agentUrl;
    private Path tmpfs;
    private String noTmpfs;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    @BeforeAll
    void start() throws Exception {
        tmpfs = Files.createTempDirectory("tributary-dvr-tmpfs-");
        noTmpfs = mount(tmpfs);
        cluster = ClusterHarness.start(1, Map.of(), Map.of("TRIBUTARY_DVR_MIN_FREE", "0",
                "TRIBUTARY_DVR_DISK_LIMIT", Long.toString(DISK_LIMIT), "TRIBUTARY_DVR_CLEAN_INTERVAL_MS", "1000"));
        api = cluster.api();
        agentUrl = cluster.agents().get(0).url();
    }

    /** Mounts a 3 MB tmpfs on {@code dir}; returns why it could not (null when mounted). */
    private static String mount(Path dir) throws InterruptedException {
        try {
            Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + TMPFS_BYTES, "tmpfs", dir.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor() == 0 ? null : "mount -t tmpfs failed: " + out;
        } catch (IOException e) {
            return "mount -t tmpfs cannot run: " + e.getMessage();
        }
    }

    @AfterAll
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (noTmpfs == null) {
            new ProcessBuilder("umount", "-l", tmpfs.toString()).inheritIO().start().waitFor();
        }
    }

    private void create(String name, String dvr) {
        assertThat(api.put("/api/v1/streams/" + name, "{\"inputs\":[{\"url\":\"fake://full?size=320x180&rate=25\"}],"
                + "\"segment_duration\":1000,\"segment_count\":4,\"dvr\":" + dvr + "}").status()).isEqualTo(200);
    }

    private String dvrError(String name) {
        JsonNode e = api.get("/api/v1/streams/" + name).json().path("stats").path("dvr_error");
        return e.isMissingNode() || e.isNull() ? null : e.asText();
    }

    private long mediaSequence(String name) {
        Api.Reply r = Api.fetch(agentUrl + "/" + name + "/index.m3u8");
        if (r.status() != 200) {
            return -1;
        }
        return r.body().lines().filter(l -> l.startsWith("#EXT-X-MEDIA-SEQUENCE:")).mapToLong(l -> Long.parseLong(l.substring(22)))
                .findFirst().orElse(-1);
    }

    /** Live goes on: the live playlist's media sequence moves on by at least 3 segments. */
    private void liveAdvances(String name) {
        long seq = mediaSequence(name);
        assertThat(seq).as("live playlist of " + name).isGreaterThanOrEqualTo(0);
        await("live " + name + " advances").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
                .until(() -> mediaSequence(name) >= seq + 3);
    }

    /** The archive index reads and every segment it lists is served whole (MPEG-TS packets, sync bytes). */
    private int indexReadsAndSegmentsAreWhole(String name) throws Exception {
        Api.Reply r = Api.fetch(agentUrl + "/" + name + "/dvr_index.json?from=0&to=" + Long.MAX_VALUE);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode segs = r.json().path("segments");
        assertThat(segs.size()).as("segments recorded before the disk filled").isPositive();
        for (JsonNode s : segs) {
            String url = agentUrl + "/" + name + "/dvr-" + s.get(0).asLong() + "-" + s.get(1).asLong() + ".ts";
            HttpResponse<byte[]> seg = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(seg.statusCode()).as(url).isEqualTo(200);
            byte[] b = seg.body();
            assertThat(b.length % 188).as(url + " is whole TS packets").isZero();
            for (int i = 0; i < b.length; i += 188) {
                assertThat(b[i]).as(url + " sync byte at " + i).isEqualTo((byte) 0x47);
            }
        }
        JsonNode st = Api.fetch(agentUrl + "/" + name + "/recording_status.json").json();
        assertThat(st.path("ranges").size()).isPositive();
        return segs.size();
    }

    @Test
    @Order(1)
    void aFullTmpfsShowsTheErrorInTheStatsWhileLiveGoesOnAndClearsWhenSpaceReturns() throws Exception {
        Assumptions.assumeTrue(noTmpfs == null, "skipped the tmpfs variant (needs root and mount permission): " + noTmpfs);
        String name = "full/tmpfs";
        Path filler = tmpfs.resolve("filler");
        Files.write(filler, new byte[(int) (TMPFS_BYTES - TMPFS_FREE)]);
        create(name, "{\"expiration\":3600,\"root\":\"" + tmpfs + "\"}");

        String error = await("dvr_error in the stream's stats").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500)).until(() -> dvrError(name), e -> e != null);
        // the free-space check before the copy sees it, or the copy itself fails with ENOSPC
        assertThat(error).startsWith("dvr_disk_full: ").containsAnyOf("bytes free on the DVR disk", "No space left");
        assertThat(api.get("/api/v1/streams/" + name).json().path("stats").path("status").asText()).isEqualTo("running");
        liveAdvances(name);
        int stored = indexReadsAndSegmentsAreWhole(name);
        // what is on the tmpfs is exactly what the index lists: no partial file left by the failed copy
        try (Stream<Path> files = Files.walk(tmpfs.resolve("full~tmpfs"))) {
            List<Path> ts = files.filter(p -> p.toString().endsWith(".ts")).toList();
            assertThat(ts).hasSize(stored);
            for (Path p : ts) {
                assertThat(Files.size(p) % 188).as(p.toString()).isZero();
            }
        }
        assertThat(Api.fetch(agentUrl + "/" + name + "/recording_status.json").json().path("error").asText())
                .startsWith("dvr_disk_full");

        Files.delete(filler); // space returns: recording works again and the error clears
        await("dvr_error cleared").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> dvrError(name) == null);
        await("recording again").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> Api.fetch(agentUrl + "/" + name + "/dvr_index.json?from=0&to=" + Long.MAX_VALUE).json()
                        .path("segments").size() > stored);
        assertThat(api.delete("/api/v1/streams/" + name + "?dvr=true").status()).isEqualTo(204);
    }

    @Test
    @Order(2)
    void theAgentWideDiskLimitShowsTheErrorInTheStatsWhileLiveGoesOn() throws Exception {
        String name = "full/limit";
        create(name, "{\"expiration\":3600}");
        String error = await("dvr_error in the stream's stats").atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500)).until(() -> dvrError(name), e -> e != null);
        assertThat(error).startsWith("dvr_disk_full: the DVR disk limit of " + DISK_LIMIT + " bytes");
        liveAdvances(name);
        indexReadsAndSegmentsAreWhole(name);
        JsonNode st = Api.fetch(agentUrl + "/" + name + "/recording_status.json").json();
        assertThat(st.path("bytes").asLong()).isPositive().isLessThanOrEqualTo(DISK_LIMIT);
        // the agent's metrics say it too
        assertThat(Api.fetch(agentUrl + "/metrics").body()).contains("tributary_dvr_error{stream=\"" + name + "\"} 1");
    }
}
