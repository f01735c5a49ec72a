package io.tributary.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs ops/install-worker.sh with {@code --root} into a scratch directory against a stand-in
 * control plane (the real one serves the same two endpoints): files, modes, unit contents,
 * idempotency, uninstall and the refusals.
 */
class InstallWorkerTest {

    private static final String KEY = "e2e-cluster-key-0123456789abcdef";
    private static final String HOSTNAME = "worker-e2e";

    @TempDir
    Path tmp;

    private HttpServer controlPlane;
    private String controlPlaneUrl;
    private byte[] jar;
    private final AtomicInteger keyChecks = new AtomicInteger();
    private Path root;
    private Path script;

    @BeforeEach
    void startStandIn() throws IOException {
        jar = new byte[64 * 1024];
        new Random(42).nextBytes(jar);
        jar[0] = 'P';
        jar[1] = 'K';
        jar[2] = 3;
        jar[3] = 4;
        controlPlane = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        controlPlane.createContext("/downloads/worker-agent.jar", ex -> respond(ex, 200, jar));
        controlPlane.createContext("/config-external/streams", ex -> {
            keyChecks.incrementAndGet();
            boolean ok = ("Bearer " + KEY).equals(ex.getRequestHeaders().getFirst("Authorization"))
                    && ex.getRequestURI().getQuery() != null
                    && ex.getRequestURI().getQuery().contains("host=" + HOSTNAME);
            respond(ex, ok ? 200 : 401, ok ? "{\"streams\":[],\"next\":null}".getBytes(StandardCharsets.UTF_8)
                    : "{\"error\":\"unauthorized\"}".getBytes(StandardCharsets.UTF_8));
        });
        controlPlane.start();
        controlPlaneUrl = "http://127.0.0.1:" + controlPlane.getAddress().getPort();
        root = tmp.resolve("root");
        script = Shell.repoRoot().resolve("ops/install-worker.sh");
    }

    @AfterEach
    void stopStandIn() {
        controlPlane.stop(0);
    }

    @Test
    void installsJarConfigAndUnitWithTheirModes() throws IOException {
        Shell.Result result = install().assertSuccess();
        assertThat(result.output()).contains("accepts the cluster key");

        assertThat(root.resolve("opt/tributary/worker-agent.jar")).hasBinaryContent(jar);
        assertThat(mode("opt/tributary/worker-agent.jar")).isEqualTo("rw-r--r--");
        assertThat(mode("etc/tributary/worker.env")).isEqualTo("rw-------");
        assertThat(mode("etc/systemd/system/tributary-worker.service")).isEqualTo("rw-r--r--");
        assertThat(root.resolve("var/lib/tributary")).isDirectory();
        assertThat(root.resolve("var/lib/tributary/dvr")).isDirectory();

        assertThat(Files.readAllLines(root.resolve("etc/tributary/worker.env"))).contains(
                "TRIBUTARY_CONTROL_PLANE_URL=" + controlPlaneUrl,
                "TRIBUTARY_CLUSTER_KEY=" + KEY,
                "TRIBUTARY_HOSTNAME=" + HOSTNAME,
                "TRIBUTARY_HTTP_PORT=8190",
                "TRIBUTARY_PUBLIC_URL=http://10.0.0.5:8190",
                "TRIBUTARY_DATA_DIR=/var/lib/tributary",
                "TRIBUTARY_DVR_ROOT=/var/lib/tributary/dvr");

        String unit = unit();
        assertThat(unit.lines()).contains(
                "Restart=on-failure",
                "LimitNOFILE=65536",
                "User=tributary",
                "EnvironmentFile=/etc/tributary/worker.env",
                "WantedBy=multi-user.target");
        assertThat(unit).containsPattern("(?m)^ExecStart=/\\S*java \\$JAVA_OPTS -jar /opt/tributary/worker-agent.jar$");
        // The script embeds the unit (it must work piped into sh); it must not drift from the template.
        String template = Files.readString(Shell.repoRoot().resolve("ops/systemd/tributary-worker.service"));
        assertThat(unit).isEqualTo(template.replace("ExecStart=@JAVA@ ", "ExecStart=" + javaOf(unit) + " "));
    }

    @Test
    void theUnitPassesSystemdAnalyzeVerify() throws IOException {
        install().assertSuccess();
        assumeTrue(Shell.onPath("systemd-analyze"), "systemd-analyze is not installed: unit not verified");
        assumeTrue(Files.isExecutable(Path.of(javaOf(unit()))),
                "no Java at " + javaOf(unit()) + ": systemd-analyze would reject ExecStart");
        Path unitFile = root.resolve("etc/systemd/system/tributary-worker.service");
        Shell.Result verify = Shell.run(List.of("systemd-analyze", "verify", unitFile.toString()), Map.of(), null,
                Duration.ofSeconds(60));
        assertThat(verify.exitCode()).as("systemd-analyze verify:%n%s", verify.output()).isZero();
    }

    @Test
    void aSecondRunChangesNothing() throws IOException {
        install().assertSuccess();
        Map<String, String> before = snapshot();
        Shell.Result second = install().assertSuccess();
        assertThat(snapshot()).isEqualTo(before);
        assertThat(second.output()).doesNotContain("wrote ").contains("unchanged:");
    }

    @Test
    void aChangedOptionRewritesOnlyTheConfig() throws IOException {
        install().assertSuccess();
        Map<String, String> before = snapshot();
        List<String> args = installArgs();
        args.set(args.indexOf("8190"), "8191");
        run(args, null).assertSuccess();
        Map<String, String> after = snapshot();
        assertThat(after.get("etc/tributary/worker.env")).isNotEqualTo(before.get("etc/tributary/worker.env"));
        assertThat(after.get("opt/tributary/worker-agent.jar")).isEqualTo(before.get("opt/tributary/worker-agent.jar"));
        assertThat(after.get("etc/systemd/system/tributary-worker.service"))
                .isEqualTo(before.get("etc/systemd/system/tributary-worker.service"));
    }

    @Test
    void uninstallRemovesJarUnitAndConfigButKeepsRecordingsUnlessPurged() throws IOException {
        install().assertSuccess();
        Path recording = root.resolve("var/lib/tributary/dvr/demo/2026/01/01/00/00.ts");
        Files.createDirectories(recording.getParent());
        Files.write(recording, new byte[] {0x47});

        run(List.of("--uninstall", "--root", root.toString()), null).assertSuccess();
        assertThat(root.resolve("opt/tributary/worker-agent.jar")).doesNotExist();
        assertThat(root.resolve("etc/tributary/worker.env")).doesNotExist();
        assertThat(root.resolve("etc/systemd/system/tributary-worker.service")).doesNotExist();
        assertThat(recording).as("recordings are kept").exists();

        run(List.of("--uninstall", "--purge", "--root", root.toString()), null).assertSuccess();
        assertThat(root.resolve("var/lib/tributary")).doesNotExist();
    }

    @Test
    void refusesAWrongKeyBeforeWritingAnything() throws IOException {
        List<String> args = installArgs();
        args.set(args.indexOf(KEY), "not-the-key");
        Shell.Result result = run(args, null).assertFailure();
        assertThat(result.output()).contains("cluster key rejected");
        assertThat(keyChecks.get()).isEqualTo(1);
        assertThat(filesUnder(root)).isEmpty();
    }

    @Test
    void refusesAnUnreachableControlPlane() throws IOException {
        List<String> args = installArgs();
        args.set(args.indexOf(controlPlaneUrl), "http://127.0.0.1:" + closedPort());
        Shell.Result result = run(args, null).assertFailure();
        assertThat(result.output()).contains("control plane unreachable");
        assertThat(filesUnder(root)).isEmpty();
    }

    @Test
    void refusesToRunAsAnOrdinaryUserWithoutRoot() {
        List<String> command = new ArrayList<>();
        if (Shell.isRoot()) {
            assumeTrue(Shell.onPath("runuser"), "running as root without runuser: the not-root case cannot be tested");
            command.addAll(List.of("runuser", "-u", "nobody", "--"));
        }
        // The script comes on stdin, as with `curl ... | sh -s --`, so `nobody` need not read the repository.
        command.addAll(List.of("sh", "-s", "--", "--control-plane", controlPlaneUrl, "--cluster-key", KEY,
                "--hostname", HOSTNAME));
        Shell.Result result = Shell.run(command, Map.of(), script, Duration.ofSeconds(60)).assertFailure();
        assertThat(result.output()).contains("must run as root");
        assertThat(keyChecks.get()).as("refused before talking to the control plane").isZero();
    }

    @Test
    void runsPipedIntoShAsServedByTheControlPlane() throws IOException {
        // The control plane serves the script with its own URL in place of the marker.
        Path served = tmp.resolve("worker.sh");
        Files.writeString(served, Files.readString(script).replace("@CONTROL_PLANE_URL@", controlPlaneUrl));
        Shell.Result result = Shell.run(List.of("sh", "-s", "--", "--cluster-key", KEY, "--hostname", HOSTNAME,
                "--root", root.toString()), withoutPresets(), served,
                Duration.ofSeconds(60)).assertSuccess();
        assertThat(result.output()).contains("installed into");
        assertThat(Files.readAllLines(root.resolve("etc/tributary/worker.env")))
                .contains("TRIBUTARY_CONTROL_PLANE_URL=" + controlPlaneUrl, "TRIBUTARY_PUBLIC_URL=http://"
                        + HOSTNAME + ":8090");
    }

    @Test
    void dvrRootAndDiskLimitGoIntoTheConfigAndBadOnesAreRefused() throws IOException {
        List<String> args = installArgs();
        args.addAll(List.of("--dvr-root", "/srv/dvr", "--dvr-disk-limit", "500G"));
        run(args, null).assertSuccess();
        assertThat(root.resolve("srv/dvr")).isDirectory();
        assertThat(Files.readAllLines(root.resolve("etc/tributary/worker.env")))
                .contains("TRIBUTARY_DVR_ROOT=/srv/dvr", "TRIBUTARY_DVR_DISK_LIMIT=500G");

        for (List<String> bad : List.of(List.of("--dvr-disk-limit", "5 GB"), List.of("--dvr-disk-limit", "lots"),
                List.of("--dvr-root", "srv/dvr"), List.of("--dvr-root", "/home/me/dvr"))) {
            List<String> a = installArgs();
            a.addAll(bad);
            assertThat(run(a, null).assertFailure().output()).as(bad.toString()).contains(bad.get(0));
        }
        // the refused runs left the installed config alone
        assertThat(Files.readAllLines(root.resolve("etc/tributary/worker.env"))).contains("TRIBUTARY_DVR_DISK_LIMIT=500G");
    }

    @Test
    void withoutAControlPlaneItSaysWhichOptionIsMissing() {
        Shell.Result result = run(List.of("--cluster-key", KEY, "--root", root.toString()), null).assertFailure();
        assertThat(result.output()).contains("--control-plane URL is required");
    }

    private Shell.Result install() {
        return run(installArgs(), null);
    }

    private List<String> installArgs() {
        return new ArrayList<>(List.of("--control-plane", controlPlaneUrl, "--cluster-key", KEY,
                "--hostname", HOSTNAME, "--port", "8190", "--public-url", "http://10.0.0.5:8190",
                "--root", root.toString()));
    }

    /** Runs the script with POSIX sh (dash on Debian), as an operator would. */
    private Shell.Result run(List<String> args, Path stdin) {
        List<String> command = new ArrayList<>(List.of("sh", script.toString()));
        command.addAll(args);
        return Shell.run(command, withoutPresets(),
                stdin, Duration.ofSeconds(60));
    }

    /** The script also reads these from the environment; the tests pass everything as options. */
    private static Map<String, String> withoutPresets() {
        Map<String, String> env = new java.util.HashMap<>();
        env.put("TRIBUTARY_CONTROL_PLANE_URL", null);
        env.put("TRIBUTARY_CLUSTER_KEY", null);
        return env;
    }

    private String unit() throws IOException {
        return Files.readString(root.resolve("etc/systemd/system/tributary-worker.service"));
    }

    private static String javaOf(String unit) {
        return unit.lines().filter(l -> l.startsWith("ExecStart=")).findFirst().orElseThrow()
                .substring("ExecStart=".length()).split(" ")[0];
    }

    private String mode(String relative) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve(relative)));
    }

    /** path -> sha256, mode and mtime of every file and directory under the root. */
    private Map<String, String> snapshot() throws IOException {
        Map<String, String> state = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.toList()) {
                String digest = Files.isRegularFile(p) ? sha256(Files.readAllBytes(p)) : "dir";
                state.put(root.relativize(p).toString(), digest + " "
                        + PosixFilePermissions.toString(Files.getPosixFilePermissions(p)) + " "
                        + (Files.isRegularFile(p) ? Files.getLastModifiedTime(p).toMillis() : ""));
            }
        }
        return state;
    }

    private static List<Path> filesUnder(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            return paths.filter(Files::isRegularFile).toList();
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
        exchange.close();
    }
}
