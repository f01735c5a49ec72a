package io.tributary.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.e2e.harness.Api;
import io.tributary.e2e.harness.ClusterHarness;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * DVR in a real cluster (control plane + 2 agents as processes): a fake:// stream recorded with
 * 1 s segments, its archive served by the other agent (remote DVR through the control plane's
 * lookup), then a kill -9 of the recording agent: the new owner records on, the old one comes
 * back, and one archive request is stitched from both, checked segment by segment.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DvrTest {
    static final String NAME = "dvr/e2e";
    private ClusterHarness cluster;
    private Api api;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    @BeforeAll
    void start() throws Exception {
        cluster = ClusterHarness.start(2, Map.of(), Map.of("TRIBUTARY_DVR_MIN_FREE", "0"));
        api = cluster.api();
        assertThat(api.put("/api/v1/streams/" + NAME, "{\"inputs\":[{\"url\":\"fake://dvr?size=320x180&rate=25\"}],"
                + "\"segment_duration\":1000,\"dvr\":{\"expiration\":3600}}").status()).isEqualTo(200);
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private byte[] bytes(String url) throws Exception {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).as(url).isEqualTo(200);
        return r.body();
    }

    private static JsonNode json(String url) {
        Api.Reply r = Api.fetch(url);
        assertThat(r.status()).as(url + ": " + r.body()).isEqualTo(200);
        return r.json();
    }

    private String runningOn() {
        JsonNode on = api.get("/api/v1/streams/" + NAME).json().path("stats").path("running_on");
        return on.size() == 1 ? on.get(0).asText() : null;
    }

    /** A server's own segments: [start ms, duration ms]. */
    private static List<long[]> index(String agentUrl) {
        List<long[]> out = new ArrayList<>();
        for (JsonNode s : json(agentUrl + "/" + NAME + "/dvr_index.json?from=0&to=" + Long.MAX_VALUE).path("segments")) {
            out.add(new long[] {s.get(0).asLong(), s.get(1).asLong()});
        }
        return out;
    }

    @Test
    void remoteDvrAndOneArchiveAcrossAFailover() throws Exception {
        await().atMost(Duration.ofSeconds(90)).until(() -> runningOn() != null);
        ClusterHarness.Agent a = cluster.agent(runningOn());
        ClusterHarness.Agent b = cluster.agents().stream().filter(x -> x != a).findFirst().orElseThrow();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            Api.Reply r = Api.fetch(a.url() + "/" + NAME + "/recording_status.json?local=1");
            return r.status() == 200 && r.json().path("depth").asLong() >= 6;
        });
        long from = json(a.url() + "/" + NAME + "/recording_status.json?local=1").get("from").asLong();

        // the control plane knows who holds what
        await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/api/v1/streams/" + NAME + "/dvr").status() == 200);
        JsonNode loc = api.get("/api/v1/streams/" + NAME + "/dvr").json();
        assertThat(loc.path("servers").get(0).path("hostname").asText()).isEqualTo(a.hostname());

        // remote DVR: b holds nothing and answers everything by asking a
        assertThat(Api.fetch(b.url() + "/" + NAME + "/recording_status.json?local=1").status()).isEqualTo(404);
        JsonNode st = json(b.url() + "/" + NAME + "/recording_status.json");
        assertThat(st.get("from").asLong()).isEqualTo(from);
        String viaA = Api.fetch(a.url() + "/" + NAME + "/archive-" + (from + 1) + "-4.m3u8").body();
        String viaB = Api.fetch(b.url() + "/" + NAME + "/archive-" + (from + 1) + "-4.m3u8").body();
        List<String> uris = viaA.lines().filter(l -> l.startsWith("dvr-")).toList();
        assertThat(uris).isNotEmpty();
        assertThat(viaB.lines().filter(l -> l.startsWith("dvr-")).toList()).isEqualTo(uris);
        assertThat(bytes(b.url() + "/" + NAME + "/" + uris.get(0))).isEqualTo(bytes(a.url() + "/" + NAME + "/" + uris.get(0)));
        byte[] jpg = bytes(b.url() + "/" + NAME + "/" + (from + 2) + ".jpg");
        assertThat(jpg[0]).isEqualTo((byte) 0xFF);
        assertThat(jpg[1]).isEqualTo((byte) 0xD8);

        // kill -9 the recording agent; the stream moves to b, which records on
        long killedAt = System.currentTimeMillis();
        a.process().kill9();
        await().atMost(Duration.ofSeconds(60)).until(() -> b.hostname().equals(runningOn()));
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            Api.Reply r = Api.fetch(b.url() + "/" + NAME + "/recording_status.json?local=1");
            return r.status() == 200 && r.json().path("depth").asLong() >= 4;
        });
        // the old server comes back with its part of the archive (index rebuilt from disk)
        a.start();
        a.awaitHealthy();
        a.awaitUp();
        List<long[]> partA = index(a.url());
        List<long[]> partB = index(b.url());
        assertThat(partA).isNotEmpty();
        assertThat(partB).isNotEmpty();
        long lastAEnd = partA.stream().filter(s -> s[0] < partB.get(0)[0]).mapToLong(s -> s[0] + s[1]).max().orElseThrow();
        long firstB = partB.get(0)[0];

        long to = partB.get(partB.size() - 1)[0] / 1000;
        long duration = to - from;
        await().atMost(Duration.ofSeconds(10)).until(() ->
                Api.fetch(b.url() + "/" + NAME + "/archive-" + from + "-" + duration + ".m3u8").body().contains("dvr-" + firstB));
        String stitched = Api.fetch(b.url() + "/" + NAME + "/archive-" + from + "-" + duration + ".m3u8").body();
        assertThat(stitched).endsWith("#EXT-X-ENDLIST\n");
        assertThat(stitched.split("#EXT-X-DISCONTINUITY\n", -1)).as(stitched).hasSize(2);
        // segment by segment: a's part, then b's, each playable, program dates growing, the one break at the move
        List<String> lines = stitched.lines().toList();
        Instant prevDate = null;
        boolean seenB = false;
        int checked = 0;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (!l.startsWith("dvr-")) {
                continue;
            }
            long start = Long.parseLong(l.substring(4, l.indexOf('-', 4)));
            boolean fromB = partB.stream().anyMatch(s -> s[0] == start);
            boolean fromA = partA.stream().anyMatch(s -> s[0] == start);
            assertThat(fromA || fromB).as(l).isTrue();
            if (fromB && !seenB) {
                seenB = true;
                assertThat(start).isEqualTo(firstB);
                assertThat(lines.get(i - 3)).as("discontinuity before b's first segment").isEqualTo("#EXT-X-DISCONTINUITY");
            } else if (seenB) {
                assertThat(fromB).as(l + " after the move").isTrue();
            }
            Instant date = Instant.parse(lines.get(i - 2).substring("#EXT-X-PROGRAM-DATE-TIME:".length()));
            assertThat(date.toEpochMilli()).isEqualTo(start);
            assertThat(prevDate == null || date.isAfter(prevDate)).isTrue();
            prevDate = date;
            byte[] seg = bytes((checked % 2 == 0 ? a : b).url() + "/" + NAME + "/" + l);
            assertThat(seg[0]).as(l).isEqualTo((byte) 0x47);
            checked++;
        }
        assertThat(seenB).isTrue();
        // the gap is the failover time: from the kill to b's first segment, plus the segment a was cutting
        long gap = firstB - lastAEnd;
        assertThat(gap).isPositive().isLessThanOrEqualTo(firstB - killedAt + 1_500);

        // MP4 export across the move, remuxed by b from both parts: a seekable MP4
        byte[] mp4 = bytes(b.url() + "/" + NAME + "/archive-" + from + "-" + duration + ".mp4");
        String head = new String(mp4, 0, Math.min(mp4.length, 256 * 1024), StandardCharsets.ISO_8859_1);
        assertThat(head.indexOf("ftyp")).isEqualTo(4);
        assertThat(head.indexOf("moov")).isPositive();
        assertThat(head.indexOf("mdat")).isGreaterThan(head.indexOf("moov"));

        // bad input through the cluster's agents
        assertThat(Api.fetch(b.url() + "/" + NAME + "/archive-" + (System.currentTimeMillis() / 1000 + 600) + "-10.m3u8")
                .status()).isEqualTo(400);
        assertThat(Api.fetch(b.url() + "/" + NAME + "/archive-" + (from - 3600) + "-60.m3u8").status()).isEqualTo(404);

        // DELETE ?dvr=true: both holders delete their parts
        assertThat(api.delete("/api/v1/streams/" + NAME + "?dvr=true").status()).isEqualTo(204);
        await().atMost(Duration.ofSeconds(30)).until(() ->
                Api.fetch(a.url() + "/" + NAME + "/recording_status.json?local=1").status() == 404
                        && Api.fetch(b.url() + "/" + NAME + "/recording_status.json?local=1").status() == 404);
        await().atMost(Duration.ofSeconds(20)).until(() -> api.get("/api/v1/streams/" + NAME + "/dvr").status() == 404);
    }
}
