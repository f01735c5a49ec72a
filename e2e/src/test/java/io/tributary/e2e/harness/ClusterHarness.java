package io.tributary.e2e.harness;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Runs the packaged control plane and N worker agents as separate processes on loopback, on a
 * fresh database, for end-to-end tests: kill -9 a process, restart it, read its log.
 */
public final class ClusterHarness implements AutoCloseable {
    private final Path repo;
    private final Path dir;
    private final TestDatabase db;
    private final String adminToken = "e2e-admin-" + UUID.randomUUID();
    private final String clusterKey = "e2e-key-" + UUID.randomUUID();
    private final int cpPort;
    private final ManagedProcess controlPlane;
    private final List<Agent> agents = new ArrayList<>();
    private final Map<String, String> cpExtraEnv;

    /**
     * Where an agent lives on the test's network: the address it binds and is reached at, a
     * command prefix (e.g. {@code ip netns exec NS}) and the control-plane URL it uses.
     */
    public record AgentNet(String host, List<String> prefix, String controlPlaneUrl) {
    }

    /** One worker agent process. */
    public final class Agent {
        private final int index;
        private final int port;
        private final String host;
        private final ManagedProcess process;

        Agent(int index, Map<String, String> extraEnv, AgentNet net) throws IOException {
            this.index = index;
            this.port = freePort();
            this.host = net == null ? "127.0.0.1" : net.host();
            Map<String, String> env = new HashMap<>();
            env.put("TRIBUTARY_CONTROL_PLANE_URL", net == null || net.controlPlaneUrl() == null
                    ? ClusterHarness.this.url() : net.controlPlaneUrl());
            env.put("TRIBUTARY_HOSTNAME", hostname());
            env.put("TRIBUTARY_CLUSTER_KEY", clusterKey);
            env.put("TRIBUTARY_HTTP_PORT", Integer.toString(port));
            env.put("TRIBUTARY_BIND", host);
            env.put("TRIBUTARY_PUBLIC_URL", url());
            env.put("TRIBUTARY_DATA_DIR", dir.resolve(hostname()).toString());
            env.putAll(extraEnv);
            if ("http".equals(env.get("TRIBUTARY_SRT_PORT"))) {
                // SRT publish on the UDP port of the same number as the agent's HTTP (TCP) port
                env.put("TRIBUTARY_SRT_PORT", Integer.toString(port));
            }
            Path jar = repo.resolve("worker-agent/target/worker-agent.jar");
            require(jar);
            List<String> command = new java.util.ArrayList<>(net == null ? List.of() : net.prefix());
            command.addAll(List.of(java(), "-Xmx256m", "-jar", jar.toString()));
            this.process = new ManagedProcess(hostname(), command, env, dir.resolve(hostname() + ".log"));
        }

        public String hostname() {
            return "worker-" + index;
        }

        public String url() {
            return "http://" + host + ":" + port;
        }

        public ManagedProcess process() {
            return process;
        }

        public void start() throws IOException {
            process.start();
        }

        public void awaitHealthy() {
            await("agent " + hostname() + " healthy").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .failFast("agent " + hostname() + " exited:\n" + process.logTail(40), () -> !process.isAlive())
                    .until(() -> Api.fetch(url() + "/health").status() == 200);
        }

        /** The agent's own server row says up. */
        public void awaitUp() {
            await("server " + hostname() + " up").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> "up".equals(api().get("/api/v1/servers/" + hostname()).json().path("status").asText()));
        }
    }

    private final String cpHost;

    private ClusterHarness(int workers, Map<String, String> cpExtraEnv, Map<String, String> agentEnv, TestDatabase db,
            String cpHost, java.util.function.IntFunction<AgentNet> net) throws IOException {
        this.cpHost = cpHost;
        this.repo = repoRoot();
        this.dir = Files.createTempDirectory("tributary-e2e-");
        this.db = db == null ? TestDatabase.create("tributary_e2e") : db;
        this.cpPort = freePort();
        this.cpExtraEnv = cpExtraEnv;
        Path jar = repo.resolve("control-plane/target/quarkus-app/quarkus-run.jar");
        require(jar);
        this.controlPlane = new ManagedProcess("control-plane", controlPlaneCommand(jar),
                controlPlaneEnv(cpPort), dir.resolve("control-plane.log"));
        for (int i = 1; i <= workers; i++) {
            agents.add(new Agent(i, agentEnv, net == null ? null : net.apply(i)));
        }
    }

    /** Starts a control plane and {@code workers} agents and waits until all are healthy and up. */
    public static ClusterHarness start(int workers) throws IOException {
        return start(workers, Map.of(), Map.of());
    }

    public static ClusterHarness start(int workers, Map<String, String> cpEnv, Map<String, String> agentEnv)
            throws IOException {
        return start(workers, cpEnv, agentEnv, null);
    }

    /** As above, on a database the caller made (e.g. on a private PostgreSQL the test restarts). */
    public static ClusterHarness start(int workers, Map<String, String> cpEnv, Map<String, String> agentEnv,
            TestDatabase db) throws IOException {
        return start(new ClusterHarness(workers, cpEnv, agentEnv, db, "127.0.0.1", null));
    }

    /**
     * A cluster on a test network: the control plane listens on {@code cpHost}, agent i lives
     * where {@code net} says (for partition tests in network namespaces).
     */
    public static ClusterHarness startOnNetwork(int workers, String cpHost, java.util.function.IntFunction<AgentNet> net)
            throws IOException {
        return start(new ClusterHarness(workers, Map.of(), Map.of(), null, cpHost, net));
    }

    private static ClusterHarness start(ClusterHarness h) throws IOException {
        try {
            h.controlPlane.start();
            h.awaitControlPlane(h.controlPlane, h.cpPort);
            for (Agent a : h.agents) {
                a.start();
            }
            for (Agent a : h.agents) {
                a.awaitHealthy();
                a.awaitUp();
            }
            return h;
        } catch (RuntimeException | IOException e) {
            h.close();
            throw e;
        }
    }

    /** A second control-plane replica on the same database (for leader hand-over tests). */
    public ManagedProcess startReplica(int port) throws IOException {
        ManagedProcess p = new ManagedProcess("control-plane-" + port,
                controlPlaneCommand(repo.resolve("control-plane/target/quarkus-app/quarkus-run.jar")),
                controlPlaneEnv(port), dir.resolve("control-plane-" + port + ".log"));
        p.start();
        awaitControlPlane(p, port);
        return p;
    }

    /**
     * The control plane's command line: a small heap, plus what {@code -Dtributary.cp.jvm-args}
     * adds (space-separated; benches use it for a larger heap or a JFR recording).
     */
    private static List<String> controlPlaneCommand(Path jar) {
        List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx384m"));
        String extra = System.getProperty("tributary.cp.jvm-args", "").trim();
        if (!extra.isEmpty()) {
            cmd.addAll(List.of(extra.split("\\s+")));
        }
        cmd.addAll(List.of("-jar", jar.toString()));
        return cmd;
    }

    private Map<String, String> controlPlaneEnv(int port) {
        Map<String, String> env = new HashMap<>();
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("QUARKUS_HTTP_HOST", cpHost);
        env.put("TRIBUTARY_DB_URL", db.jdbcUrl());
        env.put("TRIBUTARY_DB_USER", db.user());
        env.put("TRIBUTARY_ADMIN_TOKEN", adminToken);
        env.put("TRIBUTARY_CLUSTER_KEY", clusterKey);
        env.putAll(cpExtraEnv);
        return env;
    }

    private void awaitControlPlane(ManagedProcess p, int port) {
        await("control plane healthy").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .failFast("control plane exited:\n" + p.logTail(60), () -> !p.isAlive())
                .until(() -> Api.fetch("http://" + cpHost + ":" + port + "/q/health/ready").status() == 200);
    }

    public String url() {
        return "http://" + cpHost + ":" + cpPort;
    }

    public String adminToken() {
        return adminToken;
    }

    public String clusterKey() {
        return clusterKey;
    }

    public Api api() {
        return new Api(url(), adminToken);
    }

    public ManagedProcess controlPlane() {
        return controlPlane;
    }

    public List<Agent> agents() {
        return agents;
    }

    public Agent agent(String hostname) {
        return agents.stream().filter(a -> a.hostname().equals(hostname)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no agent " + hostname));
    }

    public TestDatabase database() {
        return db;
    }

    public Path dir() {
        return dir;
    }

    /** Every log's tail, for a failure message. */
    public String logs() {
        StringBuilder sb = new StringBuilder("--- control plane ---\n").append(controlPlane.logTail(40));
        for (Agent a : agents) {
            sb.append("\n--- ").append(a.hostname()).append(" ---\n").append(a.process().logTail(30));
        }
        return sb.toString();
    }

    @Override
    public void close() {
        for (Agent a : agents) {
            try {
                a.process().stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            controlPlane.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        db.close();
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static void require(Path jar) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: the e2e module runs after `./mvnw package` of the others");
        }
    }

    /** TRIBUTARY_REPO_ROOT (set by the e2e pom), else found upward from the working directory. */
    public static Path repoRoot() {
        String env = System.getenv("TRIBUTARY_REPO_ROOT");
        if (env != null && !env.isBlank() && Files.isDirectory(Path.of(env, "control-plane"))) {
            return Path.of(env).toAbsolutePath();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("control-plane")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the repository root; set TRIBUTARY_REPO_ROOT");
    }
}
