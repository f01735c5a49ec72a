package io.tributary.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * Starts the packaged control plane through {@code ops/cluster up --workers 0 --no-demo} on the
 * test PostgreSQL, checks cluster.env, the API and its token, that a second {@code up} starts
 * nothing, and that {@code down} stops exactly what {@code up} started.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpsClusterTest {

    /** Its own database, so two builds on one PostgreSQL do not meet. */
    private static final String DB_NAME = "tributary_e2e_" + ProcessHandle.current().pid();
    private static final Pattern JDBC = Pattern.compile("jdbc:postgresql://([^:/]+)(?::(\\d+))?/.*");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Path data;
    private int port;
    private Map<String, String> env;
    private Map<String, String> clusterEnv;

    @BeforeAll
    void up() throws Exception {
        Path jar = Shell.repoRoot().resolve("control-plane/target/quarkus-app/quarkus-run.jar");
        assertThat(jar).as("the packaged control plane (built before the e2e module)").isRegularFile();
        data = Files.createTempDirectory("tributary-ops-cluster-");
        port = freePort();
        env = new HashMap<>();
        env.put("TRIBUTARY_DATA", data.toString());
        env.put("TRIBUTARY_CP_PORT", Integer.toString(port));
        env.put("TRIBUTARY_DB_NAME", DB_NAME);
        env.put("TRIBUTARY_NO_BUILD", "1");
        env.put("TRIBUTARY_ADMIN_TOKEN", null);
        env.put("TRIBUTARY_CLUSTER_KEY", null);
        env.putAll(postgresOfTheTestDatabase());
        dropDatabase();

        Shell.Result result = cluster("up", "--workers", "0", "--no-demo").assertSuccess();
        assertThat(result.output()).contains("Tributary is up", "http://127.0.0.1:" + port + "/");
        clusterEnv = readEnvFile(data.resolve("cluster.env"));
    }

    @AfterAll
    void down() throws IOException {
        // Whatever failed above, leave no process behind.
        if (data != null) {
            cluster("down");
        }
        try {
            dropDatabase();
        } catch (SQLException e) {
            // Best effort: a database left behind costs nothing but space.
        }
    }

    @Test
    @Order(1)
    void clusterEnvNamesTheControlPlaneAndItsSecrets() throws IOException {
        assertThat(clusterEnv).containsKeys("TRIBUTARY_URL", "TRIBUTARY_TOKEN", "TRIBUTARY_CLUSTER_KEY",
                "CONTROL_PLANE_PID");
        assertThat(clusterEnv.get("TRIBUTARY_URL")).isEqualTo("http://127.0.0.1:" + port);
        assertThat(clusterEnv.get("TRIBUTARY_TOKEN")).hasSizeGreaterThanOrEqualTo(32);
        assertThat(clusterEnv.get("TRIBUTARY_CLUSTER_KEY")).hasSizeGreaterThanOrEqualTo(32)
                .isNotEqualTo(clusterEnv.get("TRIBUTARY_TOKEN"));
        assertThat(clusterEnv).doesNotContainKey("WORKER_1_PID");
        assertThat(controlPlane().isAlive()).isTrue();
        assertThat(controlPlane().info().commandLine().orElse("")).contains("quarkus-run.jar");
        for (String file : List.of("cluster.env", "secrets.env")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve(file))))
                    .as("mode of %s (it holds the admin token)", file).isEqualTo("rw-------");
        }
        // Shell-sourceable: a shell that sources it sees the values.
        Shell.Result sourced = Shell.run(List.of("bash", "-c",
                ". \"$1\" && printf '%s %s' \"$TRIBUTARY_URL\" \"$CONTROL_PLANE_PID\"", "-",
                data.resolve("cluster.env").toString()), Map.of(), null, Duration.ofSeconds(10)).assertSuccess();
        assertThat(sourced.output()).isEqualTo(clusterEnv.get("TRIBUTARY_URL") + " "
                + clusterEnv.get("CONTROL_PLANE_PID"));
    }

    @Test
    @Order(2)
    void theApiAnswersWithTheTokenAndRefusesWithoutIt() throws Exception {
        String url = clusterEnv.get("TRIBUTARY_URL");
        assertThat(get(url + "/q/health/ready", null).statusCode()).isEqualTo(200);
        HttpResponse<String> withToken = get(url + "/api/v1/streams", clusterEnv.get("TRIBUTARY_TOKEN"));
        assertThat(withToken.statusCode()).as("GET /api/v1/streams with the admin token: %s", withToken.body())
                .isEqualTo(200);
        assertThat(get(url + "/api/v1/streams", null).statusCode()).as("without a token").isEqualTo(401);
        assertThat(get(url + "/api/v1/streams", "not-the-token").statusCode()).as("with a wrong token")
                .isEqualTo(401);
    }

    @Test
    @Order(3)
    void aSecondUpStartsNoSecondCopy() throws IOException {
        Shell.Result again = cluster("up", "--workers", "0", "--no-demo").assertSuccess();
        assertThat(again.output()).contains("already running");
        assertThat(readEnvFile(data.resolve("cluster.env")).get("CONTROL_PLANE_PID"))
                .isEqualTo(clusterEnv.get("CONTROL_PLANE_PID"));
        String log = Files.readString(data.resolve("logs/control-plane.log"));
        assertThat(Pattern.compile("^=== .* starting: ", Pattern.MULTILINE).matcher(log).results().count())
                .as("control plane starts recorded in its log").isEqualTo(1);
    }

    @Test
    @Order(4)
    void statusSaysItRuns() {
        Shell.Result status = cluster("status").assertSuccess();
        assertThat(status.output()).contains("control-plane", clusterEnv.get("CONTROL_PLANE_PID"), "running");
    }

    @Test
    @Order(5)
    void downStopsTheControlPlaneAndKeepsTheData() {
        ProcessHandle controlPlane = controlPlane();
        cluster("down").assertSuccess();
        await().atMost(Duration.ofSeconds(30)).until(() -> !controlPlane.isAlive());
        assertThat(data.resolve("cluster.env")).doesNotExist();
        assertThat(data.resolve("secrets.env")).as("data is kept").isRegularFile();
        assertThat(data.resolve("logs/control-plane.log")).isRegularFile();
        Shell.Result status = cluster("status");
        assertThat(status.exitCode()).as("status after down: %s", status.output()).isEqualTo(3);
    }

    private ProcessHandle controlPlane() {
        long pid = Long.parseLong(clusterEnv.get("CONTROL_PLANE_PID"));
        return ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no process " + pid + "; log:\n"
                + logTail()));
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(data.resolve("logs/control-plane.log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private Shell.Result cluster(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("bash", "ops/cluster"));
        command.addAll(List.of(args));
        return Shell.run(command, env, null, Duration.ofMinutes(4));
    }

    private HttpResponse<String> get(String url, String token) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Reads KEY=value lines (values optionally single-quoted), as cluster.env is written. */
    static Map<String, String> readEnvFile(Path file) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            int eq = line.indexOf('=');
            if (line.isBlank() || line.startsWith("#") || line.startsWith("export ") || eq < 0) {
                continue;
            }
            String value = line.substring(eq + 1);
            if (value.length() >= 2 && value.startsWith("'") && value.endsWith("'")) {
                value = value.substring(1, value.length() - 1).replace("'\\''", "'");
            }
            values.put(line.substring(0, eq), value);
        }
        return values;
    }

    /** Points ops/cluster at the server of TRIBUTARY_TEST_DB_URL (set by ops/test), when given. */
    private static Map<String, String> postgresOfTheTestDatabase() {
        Map<String, String> pg = new HashMap<>();
        String url = System.getenv("TRIBUTARY_TEST_DB_URL");
        if (url != null) {
            Matcher m = JDBC.matcher(url);
            if (m.matches()) {
                pg.put("TRIBUTARY_PG_HOST", m.group(1));
                pg.put("TRIBUTARY_PG_PORT", m.group(2) == null ? "5432" : m.group(2));
            }
        }
        String user = System.getenv("TRIBUTARY_TEST_DB_USER");
        if (user != null && !user.isBlank()) {
            pg.put("TRIBUTARY_PG_USER", user);
        }
        return pg;
    }

    /** A fresh database: a token from an earlier run must not linger in it. */
    private void dropDatabase() throws SQLException {
        String host = env.getOrDefault("TRIBUTARY_PG_HOST", "127.0.0.1");
        String pgPort = env.getOrDefault("TRIBUTARY_PG_PORT", "5432");
        String user = env.getOrDefault("TRIBUTARY_PG_USER", "postgres");
        String password = System.getenv().getOrDefault("TRIBUTARY_TEST_DB_PASSWORD", "");
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + host + ":" + pgPort + "/postgres",
                user, password); Statement s = c.createStatement()) {
            s.execute("drop database if exists " + DB_NAME + " with (force)");
        } catch (SQLException e) {
            if (System.getenv("TRIBUTARY_TEST_DB_URL") != null) {
                throw e;
            }
            // No test database configured and none on the default port: ops/cluster finds or starts one.
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
