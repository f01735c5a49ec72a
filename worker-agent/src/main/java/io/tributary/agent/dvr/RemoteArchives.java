package io.tributary.agent.dvr;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import io.tributary.api.Json;
import io.tributary.api.agent.DvrLocations;

/**
 * The parts of archives this agent does not hold: asks the control plane which servers hold a
 * stream's archive (with their private URLs), asks those servers for their segments of a range,
 * and fetches their segments into a bounded local cache (oldest files evicted first).
 * Blocking; called on worker threads, never on an event loop.
 */
public final class RemoteArchives {
    private static final System.Logger LOG = System.getLogger(RemoteArchives.class.getName());
    private static final long LOOKUP_TTL_MS = 2_000;

    private final String controlPlaneUrl;
    private final String clusterKey;
    private final String self;
    private final Path cacheDir;
    private final long cacheLimit;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final Map<String, Cached> lookups = new ConcurrentHashMap<>();

    private record Cached(List<DvrLocations.Holder> holders, long atMs) {
    }

    /** A holder's segment of a range. */
    public record RemoteSegment(String host, String url, long startMs, long durationMs, boolean discontinuity) {
    }

    public RemoteArchives(String controlPlaneUrl, String clusterKey, String self, Path cacheDir, long cacheLimit,
            Clock clock) {
        this.controlPlaneUrl = controlPlaneUrl;
        this.clusterKey = clusterKey;
        this.self = self;
        this.cacheDir = cacheDir;
        this.cacheLimit = cacheLimit;
        this.clock = clock;
    }

    /** The other servers holding a part of {@code stream}'s archive (as last reported), or none. */
    public List<DvrLocations.Holder> holders(String stream) {
        if (controlPlaneUrl == null) {
            return List.of();
        }
        long now = clock.millis();
        Cached c = lookups.get(stream);
        if (c != null && now - c.atMs() < LOOKUP_TTL_MS) {
            return c.holders();
        }
        List<DvrLocations.Holder> out = new ArrayList<>();
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(controlPlaneUrl + "/api/v1/agents/" + self
                    + "/dvr?stream=" + URLEncoder.encode(stream, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(2));
            if (clusterKey != null) {
                b.header("Authorization", "Bearer " + clusterKey);
            }
            HttpResponse<String> r = http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                DvrLocations loc = Json.mapper().readValue(r.body(), DvrLocations.class);
                if (loc.servers() != null) {
                    loc.servers().stream().filter(h -> !self.equals(h.hostname()) && h.privateUrl() != null)
                            .forEach(out::add);
                }
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "stream=" + stream + " host=" + self + ": DVR lookup failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lookups.put(stream, new Cached(List.copyOf(out), now));
        return out;
    }

    /** Segments of {@code [fromMs, toMs)} held by other servers (a server that does not answer is skipped). */
    public List<RemoteSegment> segments(String stream, long fromMs, long toMs) {
        List<RemoteSegment> out = new ArrayList<>();
        for (DvrLocations.Holder h : holders(stream)) {
            try {
                HttpRequest req = HttpRequest.newBuilder(URI.create(h.privateUrl() + "/" + stream + "/"
                        + ArchiveRequest.INDEX_FILE + "?from=" + fromMs + "&to=" + toMs)).timeout(Duration.ofSeconds(2))
                        .GET().build();
                HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    continue;
                }
                JsonNode root = Json.mapper().readTree(r.body());
                String host = root.path("host").asText(h.hostname());
                for (JsonNode s : root.path("segments")) {
                    out.add(new RemoteSegment(host, h.privateUrl(), s.get(0).asLong(), s.get(1).asLong(),
                            s.size() > 2 && s.get(2).asBoolean()));
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.DEBUG, "stream=" + stream + " host=" + self + ": " + h.hostname()
                        + " did not give its DVR index: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return out;
    }

    /** A peer's segment in the local cache, fetched when missing; null when no holder has it. */
    public Path segment(String stream, long startMs, long durationMs) {
        Path cached = cacheDir.resolve(stream.replace('/', '~')).resolve(startMs + "-" + durationMs + ".ts");
        if (Files.isRegularFile(cached)) {
            return cached;
        }
        for (DvrLocations.Holder h : holders(stream)) {
            try {
                HttpRequest req = HttpRequest.newBuilder(URI.create(h.privateUrl() + "/" + stream + "/dvr-" + startMs
                        + "-" + durationMs + ".ts?local=1")).timeout(Duration.ofSeconds(10)).GET().build();
                HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream in = r.body()) {
                    if (r.statusCode() != 200) {
                        continue;
                    }
                    Files.createDirectories(cached.getParent());
                    Path tmp = Files.createTempFile(cached.getParent(), "fetch", ".part");
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(tmp, cached, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                }
                evict();
                return cached;
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "stream=" + stream + " host=" + self + ": fetching a DVR segment from "
                        + h.hostname() + " failed: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    /** Keeps the cache under its limit, least recently written first. */
    private synchronized void evict() {
        if (!Files.isDirectory(cacheDir)) {
            return;
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(cacheDir, 2)) {
            files = new ArrayList<>(s.filter(p -> p.getFileName().toString().endsWith(".ts")).toList());
        } catch (IOException e) {
            return;
        }
        long total = 0;
        Map<Path, long[]> meta = new java.util.HashMap<>();
        for (Path p : files) {
            try {
                long[] m = {Files.size(p), Files.getLastModifiedTime(p).toMillis()};
                meta.put(p, m);
                total += m[0];
            } catch (IOException e) {
                // gone
            }
        }
        if (total <= cacheLimit) {
            return;
        }
        List<Path> order = new ArrayList<>(meta.keySet());
        order.sort(Comparator.comparingLong(p -> meta.get(p)[1]));
        for (Path p : order) {
            if (total <= cacheLimit) {
                break;
            }
            try {
                Files.deleteIfExists(p);
                total -= meta.get(p)[0];
            } catch (IOException e) {
                // try the next one
            }
        }
    }
}
