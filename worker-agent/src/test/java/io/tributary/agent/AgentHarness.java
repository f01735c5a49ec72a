package io.tributary.agent;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.tributary.api.agent.StreamReport;
import io.tributary.api.stream.AssignmentInfo;
import io.tributary.api.stream.InputConfig;
import io.tributary.api.stream.StreamConfig;

/** Starts a real agent on a loopback port with a temporary data dir, and talks HTTP to it. */
public final class AgentHarness implements AutoCloseable {
    public final Agent agent;
    public final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final Map<String, StreamConfig> streams = new HashMap<>();

    public AgentHarness(Path dataDir, Map<String, String> extraEnv) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("TRIBUTARY_HTTP_PORT", "0");
        env.put("TRIBUTARY_BIND", "127.0.0.1");
        env.put("TRIBUTARY_HOSTNAME", "agent-test");
        env.put("TRIBUTARY_PUBLIC_URL", "http://127.0.0.1:0");
        env.put("TRIBUTARY_DATA_DIR", dataDir.toString());
        env.put("TRIBUTARY_CONTROL_PLANE_URL", "none");
        env.putAll(extraEnv);
        AgentConfig cfg = AgentConfig.load(env, new Properties());
        agent = Agent.start(cfg, io.tributary.agent.dvr.DvrConfig.load(env, cfg.dvrRoot()));
    }

    public String base() {
        return "http://127.0.0.1:" + agent.port();
    }

    public static StreamConfig stream(String name, int segmentMs, InputConfig... inputs) {
        return new StreamConfig(name, null, List.of(inputs), true, null, null, null, null, null, segmentMs, 4, null,
                null, new AssignmentInfo(1L, 0L, 0L, 10_000L));
    }

    /** Runs these streams in addition to the ones this harness already runs. */
    public synchronized void run(StreamConfig... configs) {
        for (StreamConfig c : configs) {
            streams.put(c.name(), c);
        }
        agent.supervisor().apply(new ArrayList<>(streams.values()));
    }

    public synchronized void remove(String name) {
        streams.remove(name);
        agent.supervisor().apply(new ArrayList<>(streams.values()));
    }

    public StreamReport report(String name) {
        return agent.supervisor().reports().stream().filter(r -> r.name().equals(name)).findFirst().orElse(null);
    }

    public HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<byte[]> getBytes(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Media sequence of a playlist text, or -1. */
    public static long mediaSequence(String playlist) {
        Matcher m = Pattern.compile("#EXT-X-MEDIA-SEQUENCE:(\\d+)").matcher(playlist);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    public static List<String> segmentUris(String playlist) {
        return playlist.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
    }

    public static int countSegments(String playlist) {
        return segmentUris(playlist).size();
    }

    @Override
    public void close() {
        agent.close();
    }
}
