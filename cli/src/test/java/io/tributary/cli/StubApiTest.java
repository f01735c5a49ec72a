package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI against a stand-in API on loopback: requests it sends and how it reads answers. */
class StubApiTest {
    @TempDir
    Path home;

    private HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<String> ifMatch = new CopyOnWriteArrayList<>();
    private final List<String> auth = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/v1/streams", ex -> {
            record(ex);
            String q = ex.getRequestURI().getRawQuery();
            if (ex.getRequestMethod().equals("GET") && ex.getRequestURI().getPath().equals("/api/v1/streams")) {
                if (q.contains("cursor=c2")) {
                    respond(ex, 200, "{\"streams\":[{\"name\":\"c\",\"stats\":{\"status\":\"waiting\"}}],\"next\":null}");
                } else {
                    respond(ex, 200, "{\"streams\":[{\"name\":\"a\",\"stats\":{\"status\":\"running\",\"running_on\":"
                            + "[\"w1\"],\"generation\":3,\"bitrate\":2900000,\"online_clients\":4}},"
                            + "{\"name\":\"b\",\"stats\":{\"status\":\"error\",\"last_error\":\"connection refused\"}}],"
                            + "\"next\":\"c2\"}");
                }
            } else if (ex.getRequestMethod().equals("PUT")) {
                respond(ex, 400, "{\"error\":\"invalid\",\"message\":\"url scheme 'ftp' is not supported\","
                        + "\"field\":\"inputs[0].url\"}");
            } else if (ex.getRequestMethod().equals("DELETE")) {
                respond(ex, 409, "{\"error\":\"conflict\",\"message\":\"stream 'a' was changed by someone else\"}");
            } else {
                respond(ex, 502, "<html>Bad Gateway</html>");
            }
        });
        server.createContext("/api/v1/events", ex -> {
            record(ex);
            respond(ex, 200, "{\"events\":[{\"id\":12,\"time\":\"2026-11-23T10:00:02.5Z\",\"type\":\"failover\","
                    + "\"stream\":\"demo\",\"server\":\"worker-2\",\"generation\":4,\"message\":\"moved from worker-1\","
                    + "\"duration_ms\":1800},{\"id\":11,\"time\":\"2026-11-23T10:00:00Z\",\"type\":\"server_down\","
                    + "\"server\":\"worker-1\",\"message\":\"no report\"}],\"next\":null}");
        });
        server.createContext("/api/v1/servers", ex -> {
            record(ex);
            respond(ex, 200, "{\"servers\":[{\"hostname\":\"worker-1\",\"roles\":[\"ingest\",\"edge\"],"
                    + "\"status\":\"up\",\"schedulable\":\"eligible\",\"last_seen_at\":\"2026-11-23T09:59:58Z\","
                    + "\"stats\":{\"cpu_usage\":12.34,\"output_kbit\":5800,\"total_clients\":7,\"online_streams\":2}},"
                    + "{\"hostname\":\"worker-2\",\"roles\":[\"edge\"],\"status\":\"down\",\"schedulable\":\"draining\","
                    + "\"stats\":{\"cpu_usage\":50.0}}]}");
        });
        server.createContext("/api/v1/cluster", ex -> {
            record(ex);
            respond(ex, 401, "{\"error\":\"unauthorized\",\"message\":\"a valid bearer token is required\"}");
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void record(HttpExchange ex) {
        requests.add(ex.getRequestMethod() + " " + ex.getRequestURI());
        ifMatch.add(String.valueOf(ex.getRequestHeaders().getFirst("If-Match")));
        auth.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
    }

    private static void respond(HttpExchange ex, int status, String body) throws IOException {
        ex.getRequestBody().readAllBytes();
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", body.startsWith("{") ? "application/json" : "text/html");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(b);
        }
    }

    private CliRun.Result run(Map<String, String> env, String... args) {
        return CliRun.run(CliRun.env(env, home, Clock.systemUTC()), args);
    }

    private Map<String, String> env() {
        return Map.of("TRIBUTARY_URL", "http://127.0.0.1:" + server.getAddress().getPort(), "TRIBUTARY_TOKEN", "secret");
    }

    @Test
    void eventsReadOldestFirstWithTimesInUtc() {
        CliRun.Result r = run(env(), "events", "--type", "failover");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("""
                TIME                  TYPE         STREAM  SERVER    GENERATION  MESSAGE
                2026-11-23 10:00:00Z  server_down  -       worker-1  -           no report
                2026-11-23 10:00:02Z  failover     demo    worker-2  4           moved from worker-1 (1800 ms)
                """);
        assertThat(requests).containsExactly("GET /api/v1/events?type=failover&limit=50");
    }

    @Test
    void serversShowLoadOnlyWhileUp() {
        CliRun.Result r = CliRun.run(CliRun.env(env(), home,
                Clock.fixed(java.time.Instant.parse("2026-11-23T10:00:10Z"), java.time.ZoneOffset.UTC)), "servers", "list");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("""
                HOSTNAME  STATUS  SCHEDULABLE  ROLES        STREAMS  CPU    OUTPUT      CLIENTS  LAST_SEEN
                worker-1  up      eligible     ingest,edge  2        12.3%  5.8 Mbit/s  7        12s ago
                worker-2  down    draining     edge         -        -      -           -        never
                """);
    }

    @Test
    void listFollowsCursorsAndPrintsOneTable() {
        CliRun.Result r = run(env(), "streams", "list", "-q", "a b");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("""
                NAME  STATUS   RUNNING_ON  GENERATION  BITRATE     CLIENTS  LAST_ERROR
                a     running  w1          3           2.9 Mbit/s  4        -
                b     error    -           -           -           -        connection refused
                c     waiting  -           -           -           -        -
                """);
        assertThat(requests).containsExactly("GET /api/v1/streams?limit=1000&q=a%20b",
                "GET /api/v1/streams?limit=1000&cursor=c2&q=a%20b");
        assertThat(auth).containsOnly("Bearer secret");
    }

    @Test
    void limitStopsEarlyAndTheJsonKeepsTheCursor() {
        CliRun.Result r = run(env(), "streams", "list", "--limit", "2", "--json");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("\"name\" : \"a\"").contains("\"name\" : \"b\"").doesNotContain("\"c\"")
                .contains("\"next\" : \"c2\"");
        assertThat(requests).containsExactly("GET /api/v1/streams?limit=2");
    }

    @Test
    void apiErrorsPrintMessageAndFieldAndExit1() {
        CliRun.Result r = run(env(), "streams", "put", "a", "--input", "ftp://x");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: url scheme 'ftp' is not supported (field: inputs[0].url)\n");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void ifMatchIsSentAsAQuotedEtag() {
        CliRun.Result r = run(env(), "streams", "delete", "a", "--if-match", "4");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: stream 'a' was changed by someone else\n");
        assertThat(ifMatch).containsExactly("\"4\"");
    }

    @Test
    void namesWithSlashesKeepTheirSlashes() {
        run(env(), "streams", "restart", "news/hd");
        assertThat(requests).containsExactly("POST /api/v1/streams/news/hd/restart");
    }

    @Test
    void anAnswerThatIsNotTheApisErrorSaysWhatCameBack() {
        CliRun.Result r = run(env(), "streams", "restart", "a");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: HTTP 502 from http://127.0.0.1:").contains("Bad Gateway");
    }

    @Test
    void unauthorizedWithoutATokenSaysHowToGiveOne() {
        CliRun.Result r = run(Map.of("TRIBUTARY_URL", env().get("TRIBUTARY_URL")), "cluster", "status");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("a valid bearer token is required (no token given: use --token, TRIBUTARY_TOKEN");
        assertThat(auth).containsExactly("null");
    }

    @Test
    void watchRedrawsAndKeepsGoingAfterAFailedFrame() {
        CliRun.Result r = run(env(), "cluster", "status", "--watch", "0.05", "--watch-count", "2");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err().lines()).hasSize(2).allSatisfy(l -> assertThat(l).startsWith("error: a valid bearer"));
        assertThat(requests).hasSize(2);
    }
}
