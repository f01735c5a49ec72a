package io.tributary.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.agent.srt.LibSrt;
import io.tributary.agent.srt.SrtListener;
import io.tributary.e2e.harness.Api;
import io.tributary.e2e.harness.ClusterHarness;
import io.tributary.e2e.harness.PlaylistPoller;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Restreaming with real processes: worker-1 and worker-2 capture (ingest), worker-3 is an edge
 * only. Viewers on any server get streams captured elsewhere through one pull per stream; pulls
 * stop after clients_timeout; on-demand streams start when asked for and stop when nobody watches;
 * pushes reach the capturing server through any server; the edge follows a stream whose source is
 * killed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EdgeTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private ClusterHarness cluster;
    private Api api;
    private ClusterHarness.Agent source;
    private ClusterHarness.Agent other;
    private ClusterHarness.Agent edge;

    @BeforeAll
    void start() throws Exception {
        // The test machine is shared and loaded: a generous failure detector, so only the kill moves streams.
        cluster = ClusterHarness.start(3, Map.of("TRIBUTARY_FAILOVER_TIMEOUT_MS", "8000"),
                Map.of("TRIBUTARY_SRT_PORT", "http"));
        api = cluster.api();
        source = cluster.agent("worker-1");
        other = cluster.agent("worker-2");
        edge = cluster.agent("worker-3");
        assertThat(api.put("/api/v1/servers/worker-3", "{\"roles\":[\"edge\"],\"public_payload_url\":\"" + edge.url()
                + "\",\"private_payload_url\":\"" + edge.url() + "\"}").status()).isEqualTo(200);
        createStream("ed-live", "\"inputs\":[{\"url\":\"fake://ed-live?size=320x180&rate=25\"}],"
                + "\"cluster_ingest\":{\"capture_at\":\"worker-1\"},\"clients_timeout\":3");
        awaitRunningOn("ed-live", "worker-1");
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private void createStream(String name, String fields) {
        assertThat(api.put("/api/v1/streams/" + name, "{" + fields + ",\"segment_duration\":1000}").status())
                .isEqualTo(200);
    }

    private JsonNode awaitRunningOn(String name, String host) {
        return await(name + " running on " + host).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> api.get("/api/v1/streams/" + name).json().path("stats"),
                        s -> "running".equals(s.path("status").asText()) && s.path("running_on").size() == 1
                                && (host == null || host.equals(s.path("running_on").get(0).asText())));
    }

    private static long metric(ClusterHarness.Agent a, String series) {
        String body = Api.fetch(a.url() + "/metrics").body();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\d+)").matcher(body);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static int pulls(ClusterHarness.Agent a) {
        return Api.fetch(a.url() + "/health").json().path("pulls").asInt(-1);
    }

    /** A live MPEG-TS viewer: reads until closed. */
    private static InputStream openLive(String url) throws IOException, InterruptedException {
        HttpResponse<InputStream> r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build().send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        InputStream in = r.body();
        byte[] b = new byte[188 * 7];
        assertThat(in.readNBytes(b, 0, b.length)).as("first TS packets from " + url).isEqualTo(b.length);
        assertThat(b[0]).isEqualTo((byte) 0x47);
        return in;
    }

    @Test
    @Order(1)
    void coldEdgeServesAPlayablePlaylistAndManyViewersShareOnePullThatStopsWhenIdle() throws Exception {
        String playlistUrl = edge.url() + "/ed-live/index.m3u8";
        Api.Reply first = Api.fetch(playlistUrl);
        assertThat(first.status()).as("first request on a cold edge waits for the first segment\n" + cluster.logs())
                .isEqualTo(200);
        assertThat(first.body()).contains("#EXTINF").contains("#EXT-X-MEDIA-SEQUENCE");
        String segment = first.body().lines().filter(l -> !l.isEmpty() && !l.startsWith("#")).findFirst().orElseThrow();
        HttpResponse<byte[]> seg = HTTP.send(HttpRequest.newBuilder(URI.create(edge.url() + "/ed-live/" + segment)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(seg.statusCode()).isEqualTo(200);
        assertThat(seg.body().length).isGreaterThan(188);
        assertThat(seg.body()[0]).isEqualTo((byte) 0x47);

        // Many viewers on the edge (HLS and live MPEG-TS), plus one on the other ingest server.
        List<InputStream> live = new ArrayList<>();
        List<PlaylistPoller> players = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                live.add(openLive(edge.url() + "/ed-live/mpegts"));
                players.add(new PlaylistPoller(() -> playlistUrl, 500));
            }
            live.add(openLive(other.url() + "/ed-live/mpegts"));
            String series = "tributary_stream_clients{stream=\"ed-live\",protocol=\"mpegts\"}";
            await("one pull per server on the source").atMost(Duration.ofSeconds(10))
                    .until(() -> metric(source, series) == 2);
            await().atMost(Duration.ofSeconds(10)).until(() -> players.stream().allMatch(p -> p.count() >= 2));
            assertThat(metric(source, series)).as("connections on the source: one per pulling server").isEqualTo(2);
            assertThat(metric(edge, "tributary_agent_edge_pulls")).isEqualTo(1);
            assertThat(players).allMatch(p -> p.problems().isEmpty());
            JsonNode pulled = api.get("/api/v1/streams/ed-live").json().path("stats");
            assertThat(pulled.path("running_on")).extracting(JsonNode::asText).containsExactly("worker-1");
        } finally {
            players.forEach(PlaylistPoller::close);
            for (InputStream in : live) {
                in.close();
            }
        }
        // clients_timeout is 3 s: the pulls stop, and the source has no connection left.
        await("edge pulls stop after clients_timeout").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250))
                .until(() -> pulls(edge) == 0 && pulls(other) == 0);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> metric(source, "tributary_stream_clients{stream=\"ed-live\",protocol=\"mpegts\"}") == 0);
    }

    @Test
    @Order(2)
    void aStreamThatExistsNowhereIs404Quickly() {
        long t0 = System.nanoTime();
        Api.Reply r = Api.fetch(edge.url() + "/no-such-stream/index.m3u8");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.status()).isEqualTo(404);
        assertThat(ms).as("404 without waiting for a pull").isLessThan(3000);
        assertThat(Api.fetch(edge.url() + "/no-such-stream/mpegts").status()).isEqualTo(404);
        assertThat(pulls(edge)).isZero();
    }

    @Test
    @Order(3)
    void onDemandStreamStartsWhenAskedForAndStopsWhenNobodyWatches() throws Exception {
        createStream("ed-od", "\"inputs\":[{\"url\":\"fake://ed-od?size=320x180&rate=25\"}],\"static\":false,"
                + "\"clients_timeout\":5");
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() ->
                api.get("/api/v1/streams/ed-od").json().path("stats").path("assigned_to").isMissingNode());
        // A player retries until the capture that its first request started has a segment.
        Api.Reply r = await("on-demand start through the edge").atMost(Duration.ofSeconds(40))
                .until(() -> Api.fetch(edge.url() + "/ed-od/index.m3u8"), x -> x.status() != 503 && x.status() != -1);
        assertThat(r.status()).as(cluster.logs()).isEqualTo(200);
        assertThat(r.body()).contains("#EXTINF");
        JsonNode stats = awaitRunningOn("ed-od", null);
        assertThat(stats.path("running_on").get(0).asText()).isIn("worker-1", "worker-2");
        // Nobody watches any more: the edge's pull stops, then the capture.
        await("on-demand capture stopped").atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(500))
                .until(() -> api.get("/api/v1/streams/ed-od").json().path("stats"),
                        s -> s.path("assigned_to").isMissingNode() && s.path("running_on").size() == 0);
        assertThat(api.get("/api/v1/events?type=stream_assigned&stream=ed-od").status()).isEqualTo(200);
    }

    @Test
    @Order(4)
    void aPushReachesTheCapturingServerDirectlyAndThroughAnotherServer() throws Exception {
        createStream("ed-push", "\"inputs\":[{\"url\":\"publish://\"}],\"cluster_ingest\":{\"capture_at\":\"worker-1\"}");
        await("publish stream placed").atMost(Duration.ofSeconds(30)).until(() ->
                "worker-1".equals(api.get("/api/v1/streams/ed-push").json().path("stats").path("assigned_to").asText()));
        awaitPushedSegments(source.url() + "/ed-push/mpegts");
        // Through worker-2, which does not capture it: forwarded to worker-1 as it comes.
        awaitPushedSegments(other.url() + "/ed-push/mpegts");
    }

    @Test
    @Order(4)
    void anSrtPushToAServerThatDoesNotCaptureTheStreamIsForwardedToTheOneThatDoes() throws Exception {
        LibSrt srt = LibSrt.load();
        createStream("ed-srt", "\"inputs\":[{\"url\":\"publish://\"}],\"cluster_ingest\":{\"capture_at\":\"worker-1\"}");
        await("publish stream placed").atMost(Duration.ofSeconds(30)).until(() ->
                "worker-1".equals(api.get("/api/v1/streams/ed-srt").json().path("stats").path("assigned_to").asText()));
        // An SRT caller on worker-2's shared SRT port (the UDP port of its HTTP port's number),
        // sending the live MPEG-TS of ed-live in 1316-byte messages as an encoder does.
        int s = srt.srt_create_socket();
        byte[] id = "#!::r=ed-srt,m=publish".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        srt.srt_setsockflag(s, LibSrt.SRTO_STREAMID, id, id.length);
        byte[] addr = SrtListener.sockaddr("127.0.0.1", URI.create(other.url()).getPort());
        assertThat(srt.srt_connect(s, addr, addr.length)).as("SRT connect: " + srt.srt_getlasterror_str()).isZero();
        String playlist = source.url() + "/ed-srt/index.m3u8";
        try (InputStream live = openLive(source.url() + "/ed-live/mpegts")) {
            byte[] b = new byte[1316];
            await("SRT push through worker-2 cut on worker-1\n" + cluster.logs()).atMost(Duration.ofSeconds(40))
                    .pollInterval(Duration.ofMillis(10)).until(() -> {
                        for (int i = 0; i < 20; i++) {
                            int n = live.readNBytes(b, 0, b.length);
                            assertThat(srt.srt_sendmsg2(s, b, n, null)).as("SRT send").isEqualTo(n);
                        }
                        return highestSequence(playlist) >= 2;
                    });
            assertThat(api.get("/api/v1/streams/ed-srt").json().path("stats").path("running_on").toString())
                    .isEqualTo("[\"worker-1\"]");
            assertThat(Api.fetch(other.url() + "/health").body()).contains("\"publishers\":1");
        } finally {
            srt.srt_close(s);
            srt.srt_cleanup();
        }
    }

    /** Pushes until the capturing server cut two new segments of ed-push (and the edge plays it). */
    private void awaitPushedSegments(String pushUrl) throws Exception {
        String playlist = source.url() + "/ed-push/index.m3u8";
        long before = highestSequence(playlist);
        List<CompletableFuture<HttpResponse<String>>> push = new ArrayList<>(List.of(pushLive(pushUrl)));
        try {
            await("segments pushed through " + pushUrl + "\n" + cluster.logs()).atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(250)).until(() -> {
                        if (push.get(0).isDone()) {
                            // refused while the previous publisher was leaving (409): push again
                            push.set(0, pushLive(pushUrl));
                        }
                        return highestSequence(playlist) >= before + 2;
                    });
            await("pushed stream plays on the edge").atMost(Duration.ofSeconds(20))
                    .until(() -> Api.fetch(edge.url() + "/ed-push/index.m3u8"),
                            x -> x.status() == 200 && x.body().contains("#EXTINF"));
            // While the push goes on (without a publisher the capture reports "waiting"): only the
            // capturing server runs it, the forwarding one does not capture a copy of its own.
            await("ed-push running on worker-1 alone while pushed through " + pushUrl).atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(250)).until(() -> {
                        if (push.get(0).isDone()) {
                            push.set(0, pushLive(pushUrl));
                        }
                        return api.get("/api/v1/streams/ed-push").json().path("stats").path("running_on").toString();
                    }, "[\"worker-1\"]"::equals);
        } finally {
            push.get(0).cancel(true);
        }
    }

    private static long highestSequence(String url) {
        Api.Reply r = Api.fetch(url);
        if (r.status() != 200) {
            return -1;
        }
        Matcher m = Pattern.compile("#EXT-X-MEDIA-SEQUENCE:(\\d+)").matcher(r.body());
        long first = m.find() ? Long.parseLong(m.group(1)) : 0;
        return first + r.body().lines().filter(l -> !l.isEmpty() && !l.startsWith("#")).count() - 1;
    }

    /** PUTs the live MPEG-TS of ed-live from its source to {@code url}, as an encoder would. */
    private CompletableFuture<HttpResponse<String>> pushLive(String url) throws IOException, InterruptedException {
        InputStream in = openLive(source.url() + "/ed-live/mpegts");
        // Its own client: the pushed body is read from another exchange, which must not share a selector with it.
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build()
                .sendAsync(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "video/mp2t")
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> in)).build(), HttpResponse.BodyHandlers.ofString())
                .whenComplete((r, e) -> {
                    try {
                        in.close();
                    } catch (IOException ignored) {
                        // closing the viewer ends the push
                    }
                });
    }

    @Test
    @Order(5)
    void theEdgeFollowsAStreamWhoseSourceIsKilledAndItsPlaylistContinues() throws Exception {
        createStream("ed-fo", "\"inputs\":[{\"url\":\"fake://ed-fo?size=320x180&rate=25\"}],"
                + "\"cluster_ingest\":{\"capture_at\":\"worker-1\"}");
        awaitRunningOn("ed-fo", "worker-1");
        String url = edge.url() + "/ed-fo/index.m3u8";
        try (PlaylistPoller poller = new PlaylistPoller(() -> url, 250)) {
            await("edge playlist").atMost(Duration.ofSeconds(20)).until(() -> poller.count() >= 3);
            int discontinuitiesBefore = poller.discontinuities();
            source.process().kill9();
            long at = poller.highest();
            awaitRunningOn("ed-fo", "worker-2");
            await("edge playlist continues from worker-2\n" + cluster.logs()).atMost(Duration.ofSeconds(30))
                    .until(() -> poller.highest() >= at + 4);
            assertThat(poller.problems()).as("media sequence never goes back").isEmpty();
            assertThat(poller.discontinuities()).as("the switch is marked").isGreaterThan(discontinuitiesBefore);
            assertThat(poller.missing()).as("sequence numbers are contiguous on the edge").isEmpty();
        }
    }

    @Test
    @Order(6)
    void theEdgePullsAndServesTheRungsOfATranscodedStreamItself() throws Exception {
        // worker-1 was killed by the previous test: worker-2 transcodes.
        createStream("ed-abr", "\"inputs\":[{\"url\":\"fake://ed-abr?size=320x180&rate=25\"}],"
                + "\"cluster_ingest\":{\"capture_at\":\"worker-2\"},\"clients_timeout\":5,\"transcoder\":{\"video\":["
                + "{\"bitrate\":200000,\"size\":{\"width\":160,\"height\":90},\"preset\":\"ultrafast\"}]}");
        awaitRunningOn("ed-abr", "worker-2");
        Api.Reply master = await("master playlist on the edge").atMost(Duration.ofSeconds(40))
                .until(() -> Api.fetch(edge.url() + "/ed-abr/index.m3u8"), r -> r.status() != 503 && r.status() != -1);
        assertThat(master.status()).as("served by the edge, not redirected\n" + cluster.logs()).isEqualTo(200);
        assertThat(master.body()).contains("#EXT-X-STREAM-INF").contains("v1/index.m3u8");
        String rungUrl = edge.url() + "/ed-abr/v1/index.m3u8";
        Api.Reply rung = await("rung playlist on the edge").atMost(Duration.ofSeconds(40))
                .until(() -> Api.fetch(rungUrl), r -> r.status() == 200 && r.body().contains("#EXTINF"));
        String segment = rung.body().lines().filter(l -> !l.isEmpty() && !l.startsWith("#")).findFirst().orElseThrow();
        HttpResponse<byte[]> seg = HTTP.send(HttpRequest.newBuilder(URI.create(edge.url() + "/ed-abr/v1/" + segment))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(seg.statusCode()).isEqualTo(200);
        assertThat(seg.body()[0]).isEqualTo((byte) 0x47);
        // The rung is pulled by the edge (one pull of <name>/v1 from worker-2's per-rung MPEG-TS).
        assertThat(Api.fetch(edge.url() + "/health").json().path("pulls").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(edge.process().log()).isNotNull();
        String log = java.nio.file.Files.readString(edge.process().log());
        assertThat(log).contains("stream=ed-abr/v1").contains("/ed-abr/v1/mpegts");
        // The stream's own live MPEG-TS (every rung in one TS) is still a redirect to the transcoding server.
        assertThat(Api.fetch(edge.url() + "/ed-abr/mpegts").status()).isEqualTo(302);
    }
}
