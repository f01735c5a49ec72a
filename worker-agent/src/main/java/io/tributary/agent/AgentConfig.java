package io.tributary.agent;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The agent's settings, from the environment or a properties file (same keys lower-cased with
 * dots: TRIBUTARY_HTTP_PORT is tributary.http.port). The environment wins over the file.
 */
public record AgentConfig(
        String controlPlaneUrl,
        String hostname,
        String clusterKey,
        int httpPort,
        String bind,
        String publicUrl,
        String privateUrl,
        Path dataDir,
        Path dvrRoot,
        Path fileRoot,
        List<String> roles,
        String group,
        int channelLimit,
        Long maxBitrate,
        String configExternal,
        String configExternalToken,
        long configPollIntervalMs,
        long configRetryMaxMs,
        String ffmpegLogLevel,
        String peering,
        String balancerUrl,
        int srtPort,
        String srtBind,
        int srtLatencyMs) {

    /** {@link #srtPort} when SRT publish is off (the default). */
    public static final int SRT_OFF = -1;

    public static final String PEERING_NONE = "none";
    public static final String PEERING_REDIRECT = "redirect";
    /** Pull streams captured elsewhere from their server (the default with a control plane). */
    public static final String PEERING_RESTREAM = "restream";

    public static AgentConfig load(Map<String, String> env, Properties file) {
        Lookup l = new Lookup(env, file);
        String hostname = l.get("TRIBUTARY_HOSTNAME", defaultHostname());
        int port = Integer.parseInt(l.get("TRIBUTARY_HTTP_PORT", "8090"));
        String publicUrl = l.get("TRIBUTARY_PUBLIC_URL", "http://" + hostname + ":" + port);
        Path dataDir = Path.of(l.get("TRIBUTARY_DATA_DIR", "/var/lib/tributary"));
        String fileRoot = l.get("TRIBUTARY_FILE_ROOT", null);
        String maxBitrate = l.get("TRIBUTARY_MAX_BITRATE", null);
        String external = emptyToNull(l.get("TRIBUTARY_CONFIG_EXTERNAL", null));
        // With another config backend the agent runs from it alone unless a control plane is named too.
        String cp = l.get("TRIBUTARY_CONTROL_PLANE_URL", external == null ? "http://127.0.0.1:8080" : "none");
        String clusterKey = l.get("TRIBUTARY_CLUSTER_KEY", null);
        return new AgentConfig(
                cp.isBlank() || cp.equalsIgnoreCase("none") ? null : stripSlash(cp),
                hostname,
                clusterKey,
                port,
                l.get("TRIBUTARY_BIND", "0.0.0.0"),
                stripSlash(publicUrl),
                stripSlash(l.get("TRIBUTARY_PRIVATE_URL", publicUrl)),
                dataDir,
                Path.of(l.get("TRIBUTARY_DVR_ROOT", dataDir.resolve("dvr").toString())),
                fileRoot == null || fileRoot.isBlank() ? null : Path.of(fileRoot),
                Arrays.stream(l.get("TRIBUTARY_ROLES", "ingest,edge").split(",")).map(String::trim)
                        .filter(s -> !s.isEmpty()).toList(),
                l.get("TRIBUTARY_GROUP", "default"),
                Integer.parseInt(l.get("TRIBUTARY_CHANNEL_LIMIT", "100")),
                maxBitrate == null || maxBitrate.isBlank() ? null : Long.parseLong(maxBitrate),
                external,
                emptyToNull(l.get("TRIBUTARY_CONFIG_EXTERNAL_TOKEN", clusterKey)),
                Long.parseLong(l.get("TRIBUTARY_CONFIG_POLL_INTERVAL_MS", "5000")),
                Long.parseLong(l.get("TRIBUTARY_CONFIG_RETRY_MAX_MS", "30000")),
                l.get("TRIBUTARY_FFMPEG_LOG_LEVEL", "fatal"),
                peering(l.get("TRIBUTARY_PEERING",
                        cp.isBlank() || cp.equalsIgnoreCase("none") ? PEERING_NONE : PEERING_RESTREAM)),
                balancer(l.get("TRIBUTARY_BALANCER_URL", null), cp),
                srtPort(l.get("TRIBUTARY_SRT_PORT", "off")),
                l.get("TRIBUTARY_SRT_BIND", l.get("TRIBUTARY_BIND", "0.0.0.0")),
                intSetting("TRIBUTARY_SRT_LATENCY_MS", l.get("TRIBUTARY_SRT_LATENCY_MS", "120"), 20, 10_000));
    }

    private static int srtPort(String v) {
        String p = v.trim().toLowerCase(Locale.ROOT);
        if (p.isEmpty() || p.equals("off") || p.equals("none")) {
            return SRT_OFF;
        }
        return intSetting("TRIBUTARY_SRT_PORT", p, 0, 65535);
    }

    private static int intSetting(String key, String v, int min, int max) {
        int n;
        try {
            n = Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " is '" + v + "': not a number");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(key + " is " + n + ": use " + min + ".." + max);
        }
        return n;
    }

    private static String peering(String v) {
        String p = v.toLowerCase(Locale.ROOT);
        if (!p.equals(PEERING_NONE) && !p.equals(PEERING_REDIRECT) && !p.equals(PEERING_RESTREAM)) {
            throw new IllegalArgumentException("TRIBUTARY_PEERING is '" + v + "': use restream, redirect or none");
        }
        return p;
    }

    private static String balancer(String explicit, String controlPlane) {
        String b = emptyToNull(explicit);
        if (b == null) {
            b = controlPlane.isBlank() || controlPlane.equalsIgnoreCase("none") ? null : controlPlane;
        }
        return b == null ? null : stripSlash(b);
    }

    /** Where a request for a stream this agent does not run is redirected, or null (404 as usual). */
    public String redirectBase() {
        return PEERING_REDIRECT.equals(peering) ? balancerUrl : null;
    }

    /** Loads from the process environment and the file named by --config or TRIBUTARY_AGENT_CONFIG. */
    public static AgentConfig fromEnvironment(String[] args) throws IOException {
        return load(System.getenv(), file(args));
    }

    /** The properties file named by --config or TRIBUTARY_AGENT_CONFIG (empty when none is named). */
    public static Properties file(String[] args) throws IOException {
        String file = System.getenv("TRIBUTARY_AGENT_CONFIG");
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals("--config")) {
                file = args[i + 1];
            }
        }
        Properties p = new Properties();
        if (file != null && !file.isBlank()) {
            try (InputStream in = Files.newInputStream(Path.of(file))) {
                p.load(in);
            }
        }
        return p;
    }

    /**
     * Every setting under its environment name: the file's keys ({@code tributary.dvr.disk.limit}
     * is {@code TRIBUTARY_DVR_DISK_LIMIT}) overlaid by the environment, which wins, as in
     * {@link #load}. Settings read elsewhere (the DVR's) come from here so both sources work for them too.
     */
    public static Map<String, String> settings(Map<String, String> env, Properties file) {
        Map<String, String> out = new java.util.HashMap<>();
        for (String k : file.stringPropertyNames()) {
            out.put(k.toUpperCase(Locale.ROOT).replace('.', '_'), file.getProperty(k).trim());
        }
        out.putAll(env);
        return out;
    }

    /** Where the desired streams come from: another config backend, or the control plane's. */
    public String streamsUrl() {
        if (configExternal != null) {
            return stripSlash(configExternal) + "/streams";
        }
        return controlPlaneUrl == null ? null : controlPlaneUrl + "/config-external/streams";
    }

    /** Bearer token for config polls: the external backend's own token, else the cluster key. */
    public String configToken() {
        return configExternal != null ? configExternalToken : clusterKey;
    }

    /** The same settings with another HTTP port (tests bind port 0 and learn the real one). */
    public AgentConfig withPort(int port, String newPublicUrl) {
        return new AgentConfig(controlPlaneUrl, hostname, clusterKey, port, bind, newPublicUrl,
                privateUrl.equals(publicUrl) ? newPublicUrl : privateUrl, dataDir, dvrRoot, fileRoot, roles, group,
                channelLimit, maxBitrate, configExternal, configExternalToken, configPollIntervalMs, configRetryMaxMs,
                ffmpegLogLevel, peering, balancerUrl, srtPort, srtBind, srtLatencyMs);
    }

    private static String defaultHostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            String h = System.getenv("HOSTNAME");
            return h == null ? "localhost" : h;
        }
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private record Lookup(Map<String, String> env, Properties file) {
        String get(String key, String def) {
            String v = env.get(key);
            if (v == null) {
                v = file.getProperty(key.toLowerCase(Locale.ROOT).replace('_', '.'));
            }
            return v == null ? def : v.trim();
        }
    }
}
