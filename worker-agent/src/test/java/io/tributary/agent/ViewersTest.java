package io.tributary.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.tributary.agent.viewer.HlsSessions;
import io.tributary.api.stream.InputConfig;

/** Viewer sessions per stream and protocol: the pure session rule, then real HTTP requests to an agent. */
class ViewersTest {
    @TempDir
    Path dir;

    @Test
    void hlsSessionsByIdCookieOrAddressEndAfterTheTimeout() {
        FencingTest.TestClock clock = new FencingTest.TestClock();
        HlsSessions s = new HlsSessions(clock, 30_000);
        assertThat(s.touch("p1", null, "10.0.0.1", "hls.js")).isNull();
        assertThat(s.touch("p2", null, "10.0.0.1", "hls.js")).isNull(); // same address, other player
        assertThat(s.touch("p1", "whatever", "10.0.0.9", "x")).isNull(); // the id wins over the rest
        assertThat(s.count()).isEqualTo(2);

        // Known by address only: it is given a cookie, and sending it back stays the same session.
        String cookie = s.touch(null, null, "10.0.0.2", "VLC");
        assertThat(cookie).isNotBlank();
        assertThat(s.touch(null, null, "10.0.0.2", "VLC")).isEqualTo(cookie);
        assertThat(s.touch(null, cookie, "10.0.0.2", "VLC")).isNull();
        assertThat(s.touch(null, null, "10.0.0.2", "ffmpeg")).isNotEqualTo(cookie);
        assertThat(s.count()).isEqualTo(4);

        clock.advance(29_999);
        s.touch("p1", null, "10.0.0.1", "hls.js");
        s.touch(null, cookie, "10.0.0.2", "VLC");
        assertThat(s.count()).isEqualTo(4);
        clock.advance(1);
        assertThat(s.count()).isEqualTo(2); // p2 and the ffmpeg client went quiet for 30 s
        clock.advance(30_000);
        assertThat(s.count()).isZero();
        // An expired cookie is simply a new session.
        assertThat(s.touch(null, cookie, "10.0.0.2", "VLC")).isNull();
        assertThat(s.count()).isEqualTo(1);
    }

    @Test
    void countsHlsSessionsAndMpegTsConnectionsOfAStream() throws Exception {
        try (AgentHarness h = new AgentHarness(dir, Map.of())) {
            h.run(AgentHarness.stream("v/s", 1000, new InputConfig("fake://v?size=160x90&rate=10")));
            await().atMost(Duration.ofSeconds(30)).until(() -> h.get("/v/s/index.m3u8").statusCode() == 200);
            String pl = h.get("/v/s/index.m3u8?session=A").body();
            String seg = AgentHarness.segmentUris(pl).get(0);
            assertThat(h.getBytes("/v/s/" + seg + "?session=A").statusCode()).isEqualTo(200);
            assertThat(h.get("/v/s/index.m3u8?session=B").statusCode()).isEqualTo(200);

            // No id: known by address and User-Agent, and given a cookie that keeps it one session.
            HttpResponse<String> first = h.get("/v/s/index.m3u8");
            String setCookie = first.headers().firstValue("Set-Cookie").orElseThrow();
            assertThat(setCookie).startsWith(HlsSessions.COOKIE + "=").contains("Path=/").containsIgnoringCase("HttpOnly");
            String cookie = setCookie.substring(0, setCookie.indexOf(';'));
            HttpResponse<String> withCookie = h.http.send(HttpRequest.newBuilder(URI.create(h.base()
                    + "/v/s/index.m3u8")).header("Cookie", cookie).header("User-Agent", "other").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(withCookie.statusCode()).isEqualTo(200);
            assertThat(withCookie.headers().firstValue("Set-Cookie")).isEmpty();
            // A, B, and this client (its earlier polls without an id were the same address and
            // User-Agent; with the cookie, even another User-Agent stays that session).
            assertThat(h.agent.supervisor().output("v/s").hlsSessions().count()).isEqualTo(3);

            // Two live MPEG-TS viewers, one per open connection.
            InputStream ts1 = openTs(h);
            InputStream ts2 = openTs(h);
            await().atMost(Duration.ofSeconds(10)).until(() -> h.report("v/s").onlineClients() == 5);
            assertThat(h.agent.report().stats().totalClients()).isEqualTo(5);
            String metrics = h.get("/metrics").body();
            assertThat(metrics).contains("tributary_stream_clients{stream=\"v/s\",protocol=\"hls\"} 3")
                    .contains("tributary_stream_clients{stream=\"v/s\",protocol=\"mpegts\"} 2")
                    .contains("tributary_agent_clients{protocol=\"hls\"} 3")
                    .contains("tributary_agent_clients{protocol=\"mpegts\"} 2")
                    .contains("tributary_stream_online_clients{stream=\"v/s\"} 5");
            ts1.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> h.report("v/s").onlineClients() == 4);
            ts2.close();
        }
    }

    private static InputStream openTs(AgentHarness h) throws Exception {
        HttpResponse<InputStream> r = h.http.send(HttpRequest.newBuilder(URI.create(h.base() + "/v/s/mpegts")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        InputStream in = r.body();
        assertThat(in.readNBytes(188)[0]).isEqualTo((byte) 0x47);
        return in;
    }
}
