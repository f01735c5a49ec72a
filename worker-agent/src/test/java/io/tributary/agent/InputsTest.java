package io.tributary.agent;

import static io.tributary.agent.FfmpegTools.args;
import static io.tributary.agent.FfmpegTools.ffmpeg;
import static io.tributary.agent.FfmpegTools.liveSource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

import io.tributary.api.agent.StreamReport;
import io.tributary.api.stream.InputConfig;

/** Every input scheme against a real local source (ffmpeg as sender or server), plus bad inputs. */
class InputsTest {
    @TempDir
    static Path dir;
    static AgentHarness h;
    static HttpServer web;
    final List<Process> processes = new ArrayList<>();
    final AtomicBoolean garbage = new AtomicBoolean();

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(dir.resolve("files"));
        h = new AgentHarness(dir.resolve("data"), Map.of("TRIBUTARY_FILE_ROOT", dir.resolve("files").toString()));
        web = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        // A live MPEG-TS over HTTP: each request gets its own real-time ffmpeg.
        web.createContext("/live.ts", ex -> {
            Process p = FfmpegTools.ffmpegPipe(args(liveSource("320x180"), "-f", "mpegts", "-"));
            ex.getResponseHeaders().add("Content-Type", "video/mp2t");
            ex.sendResponseHeaders(200, 0);
            try (InputStream in = p.getInputStream(); OutputStream out = ex.getResponseBody()) {
                in.transferTo(out);
            } catch (Exception e) {
                // client went away
            } finally {
                p.destroyForcibly();
            }
        });
        web.createContext("/hls/", ex -> {
            Path f = dir.resolve("hls").resolve(ex.getRequestURI().getPath().substring(5)).normalize();
            if (!f.startsWith(dir.resolve("hls")) || !Files.isRegularFile(f)) {
                ex.sendResponseHeaders(404, -1);
                ex.close();
                return;
            }
            byte[] b = Files.readAllBytes(f);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        web.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        web.start();
    }

    @AfterAll
    static void stop() {
        web.stop(0);
        h.close();
    }

    @AfterEach
    void cleanup() {
        garbage.set(false);
        processes.forEach(FfmpegTools::kill);
    }

    private Process spawn(String... a) {
        Process p = ffmpeg(a);
        processes.add(p);
        return p;
    }

    private void awaitSegments(String name, int n) {
        await().atMost(Duration.ofSeconds(40)).until(() -> {
            HttpResponse<String> r = h.get("/" + name + "/index.m3u8");
            return r.statusCode() == 200 && AgentHarness.countSegments(r.body()) >= n;
        });
        assertThat(h.report(name).status()).isEqualTo("running");
    }

    @Test
    void udpMpegTs() throws Exception {
        int port = FfmpegTools.freeUdpPort();
        h.run(AgentHarness.stream("udp1", 1000, new InputConfig("udp://127.0.0.1:" + port)));
        spawn(args(liveSource("320x180"), "-f", "mpegts", "udp://127.0.0.1:" + port + "?pkt_size=1316"));
        awaitSegments("udp1", 2);
        // The pass-through's one-time probe fills sizes and rates.
        await().atMost(Duration.ofSeconds(20)).until(() -> h.report("udp1").mediaInfo().tracks().stream()
                .anyMatch(t -> Integer.valueOf(320).equals(t.width()) && Double.valueOf(25.0).equals(t.fps())));
        // Its segments start on a keyframe, and /mpegts serves the same packets.
        String seg = AgentHarness.segmentUris(h.get("/udp1/index.m3u8").body()).get(0);
        Path f = dir.resolve("udp1-seg.ts");
        Files.write(f, h.getBytes("/udp1/" + seg).body());
        assertThat(FfmpegTools.ffprobe("-select_streams", "v:0", "-show_entries", "packet=flags", "-of", "csv=p=0",
                f.toString()).lines().findFirst().orElse("")).startsWith("K");
        HttpResponse<InputStream> live = h.http.send(HttpRequest.newBuilder(URI.create(h.base() + "/udp1/mpegts")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = live.body()) {
            byte[] got = in.readNBytes(188 * 100);
            assertThat(got).hasSize(188 * 100);
            for (int i = 0; i < got.length; i += 188) {
                assertThat(got[i]).isEqualTo((byte) 0x47);
            }
        }
        h.remove("udp1");
    }

    @Test
    void httpMpegTs() throws Exception {
        h.run(AgentHarness.stream("http1", 1000,
                new InputConfig("http://127.0.0.1:" + web.getAddress().getPort() + "/live.ts")));
        awaitSegments("http1", 2);
        h.remove("http1");
    }

    @Test
    void httpHls() throws Exception {
        Path hls = Files.createDirectories(dir.resolve("hls"));
        spawn(args(liveSource("320x180"), "-f", "hls", "-hls_time", "1", "-hls_list_size", "6", "-hls_flags",
                "delete_segments", hls.resolve("index.m3u8").toString()));
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(hls.resolve("index.m3u8")));
        h.run(AgentHarness.stream("hls1", 1000,
                new InputConfig("http://127.0.0.1:" + web.getAddress().getPort() + "/hls/index.m3u8")));
        awaitSegments("hls1", 2);
        h.remove("hls1");
    }

    @Test
    void rtmpFromAListeningFfmpeg() throws Exception {
        int port = FfmpegTools.freeTcpPort();
        spawn(args(liveSource("320x180"), "-f", "flv", "-listen", "1", "rtmp://127.0.0.1:" + port + "/live/s"));
        h.run(AgentHarness.stream("rtmp1", 1000, new InputConfig("rtmp://127.0.0.1:" + port + "/live/s")));
        awaitSegments("rtmp1", 2);
        h.remove("rtmp1");
    }

    @Test
    void rtspFromARealRtspServer() throws Exception {
        try (RtspTestServer rtsp = new RtspTestServer(List.of(args(liveSource("320x180"), "-f", "mpegts", "-")))) {
            h.run(AgentHarness.stream("rtsp1", 1000, new InputConfig(rtsp.url("live/cam"))));
            awaitSegments("rtsp1", 2);
            assertThat(rtsp.plays()).isGreaterThanOrEqualTo(1);
            assertThat(h.report("rtsp1").mediaInfo().tracks()).extracting("codec", "width")
                    .contains(org.assertj.core.groups.Tuple.tuple("h264", 320));
            // The server dies: the stream leaves "running" with the input named in last_error.
            rtsp.close();
            await().atMost(Duration.ofSeconds(30)).until(() -> !"running".equals(h.report("rtsp1").status()));
            assertThat(h.report("rtsp1").lastError()).contains(rtsp.url("live/cam"));
        }
        h.remove("rtsp1");
    }

    @Test
    void srtFromAListeningFfmpeg() throws Exception {
        int port = FfmpegTools.freeUdpPort();
        spawn(args(liveSource("320x180"), "-f", "mpegts", "srt://127.0.0.1:" + port + "?mode=listener"));
        h.run(AgentHarness.stream("srt1", 1000, new InputConfig("srt://127.0.0.1:" + port + "?mode=caller")));
        awaitSegments("srt1", 2);
        h.remove("srt1");
    }

    @Test
    void fileUnderTheFileRootOnlyAndPacedLikeLive() throws Exception {
        Path f = dir.resolve("files").resolve("clip.ts");
        FfmpegTools.ffmpegRun(args(liveSource("320x180").subList(1, liveSource("320x180").size()),
                "-t", "8", f.toString()));
        h.run(AgentHarness.stream("file1", 1000, new InputConfig(f.toUri().toString())),
                AgentHarness.stream("file2", 1000, new InputConfig("file:///etc/passwd")));
        awaitSegments("file1", 2);
        await().atMost(Duration.ofSeconds(20)).until(() -> h.report("file2").lastError() != null);
        assertThat(h.report("file2").lastError()).contains("outside TRIBUTARY_FILE_ROOT");
        assertThat(h.report("file2").status()).isEqualTo("error");
        h.remove("file1");
        h.remove("file2");
    }

    @Test
    void publishByHttpPut() throws Exception {
        h.run(AgentHarness.stream("pub/one", 1000, new InputConfig("publish://")));
        await().atMost(Duration.ofSeconds(20)).until(() -> "waiting".equals(h.report("pub/one").status()));
        spawn(args(liveSource("320x180"), "-f", "mpegts", "-method", "PUT", h.base() + "/pub/one/mpegts"));
        awaitSegments("pub/one", 2);
        // A stream without a publish:// input refuses pushes.
        h.run(AgentHarness.stream("nopub", 1000, new InputConfig("fake://x?size=160x90&rate=10")));
        HttpResponse<String> r = h.http.send(HttpRequest.newBuilder(URI.create(h.base() + "/nopub/mpegts"))
                .PUT(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(403);
        // The push stops: the stream waits for the next publisher.
        processes.forEach(FfmpegTools::kill);
        await().atMost(Duration.ofSeconds(30)).until(() -> !"running".equals(h.report("pub/one").status()));
        assertThat(h.report("pub/one").lastError()).isNotBlank();
        h.remove("pub/one");
        h.remove("nopub");
    }

    @Test
    void deadAndGarbageInputsGetAnErrorAndHarmNoOtherStream() throws Exception {
        int garbagePort = FfmpegTools.freeUdpPort();
        h.run(AgentHarness.stream("ok", 1000, new InputConfig("fake://x?size=160x90&rate=10")),
                AgentHarness.stream("dead", 1000, new InputConfig("http://127.0.0.1:1/none.ts")),
                AgentHarness.stream("deadrtsp", 1000, new InputConfig("rtsp://127.0.0.1:1/none")),
                AgentHarness.stream("garbage", 1000, new InputConfig("udp://127.0.0.1:" + garbagePort)));
        garbage.set(true);
        // One datagram of random bytes every 2 ms, paced by a scheduler, until the test is over.
        java.util.concurrent.ScheduledExecutorService sender = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        DatagramSocket socket = new DatagramSocket();
        Random rnd = new Random(1);
        byte[] b = new byte[1316];
        sender.scheduleAtFixedRate(() -> {
            if (!garbage.get()) {
                return;
            }
            try {
                rnd.nextBytes(b);
                socket.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), garbagePort));
            } catch (java.io.IOException e) {
                // test over
            }
        }, 0, 2, java.util.concurrent.TimeUnit.MILLISECONDS);
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            StreamReport d = h.report("dead");
            StreamReport g = h.report("garbage");
            StreamReport r = h.report("deadrtsp");
            return d.lastError() != null && g.lastError() != null && r.lastError() != null;
        });
        assertThat(h.report("dead").status()).isIn("error", "waiting");
        assertThat(h.report("dead").lastError()).contains("127.0.0.1:1");
        assertThat(h.report("deadrtsp").status()).isIn("error", "waiting");
        assertThat(h.report("garbage").status()).isIn("error", "waiting", "starting");
        awaitSegments("ok", 2);
        garbage.set(false);
        sender.shutdownNow();
        sender.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        socket.close();
        for (String n : List.of("ok", "dead", "deadrtsp", "garbage")) {
            h.remove(n);
        }
    }

    @Test
    void twoLiveMpegTsClientsShareOneCapture() throws Exception {
        h.run(AgentHarness.stream("ts2", 1000, new InputConfig("fake://x?size=320x180&rate=25")));
        await().atMost(Duration.ofSeconds(20)).until(() -> h.report("ts2").status().equals("running"));
        var req = HttpRequest.newBuilder(URI.create(h.base() + "/ts2/mpegts")).build();
        HttpResponse<InputStream> a = h.http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        HttpResponse<InputStream> b = h.http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(a.headers().firstValue("Content-Type")).hasValue("video/mp2t");
        await().atMost(Duration.ofSeconds(10)).until(() -> h.report("ts2").onlineClients() == 2);
        for (HttpResponse<InputStream> r : List.of(a, b)) {
            try (InputStream in = r.body()) {
                byte[] got = in.readNBytes(188 * 200);
                assertThat(got).hasSize(188 * 200);
                for (int i = 0; i < got.length; i += 188) {
                    assertThat(got[i]).isEqualTo((byte) 0x47);
                }
            }
        }
        assertThat(h.agent.supervisor().captures()).containsKey("ts2");
        h.remove("ts2");
    }

    @Test
    void pathsOutsideKnownStreamsAre404() throws Exception {
        h.run(AgentHarness.stream("safe", 1000, new InputConfig("fake://x?size=160x90&rate=10")));
        for (String p : List.of("/unknown/index.m3u8", "/safe/../../etc/passwd", "/safe/%2e%2e/index.m3u8",
                "/a%2Fb/index.m3u8", "/safe%2Findex.m3u8", "/safe/passwd", "/safe/.index.m3u8.tmp",
                "/..%2F..%2Fetc/passwd", "/index.m3u8", "/safe/seg-1.ts/x")) {
            HttpResponse<String> r = h.get(p);
            assertThat(r.statusCode()).as(p).isEqualTo(404);
        }
        h.remove("safe");
    }
}
