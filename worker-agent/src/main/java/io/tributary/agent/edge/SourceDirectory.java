package io.tributary.agent.edge;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import io.tributary.api.Json;
import io.tributary.api.agent.StreamSource;

/**
 * Asks the control plane which server captures a stream:
 * {@code GET /api/v1/agents/{hostname}/sources/{name}} with the cluster key. Keeps the placements
 * it learnt (from its lookups, and from the report answers' {@code sources}) for
 * {@link #CACHE_MS}, so a stream asked for again starts its pull without a round trip.
 */
final class SourceDirectory {
    /** What a lookup found: the source, or that the stream does not exist, or why the control plane could not say. */
    record Lookup(StreamSource source, boolean notFound, String error) {
    }

    /** How long a learnt placement is used to start a pull at once (a lookup still checks it). */
    static final long CACHE_MS = 60_000;

    private record Cached(StreamSource source, long atMs) {
    }

    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private final String controlPlaneUrl;
    private final String hostname;
    private final String clusterKey;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    SourceDirectory(String controlPlaneUrl, String hostname, String clusterKey) {
        this.controlPlaneUrl = controlPlaneUrl;
        this.hostname = hostname;
        this.clusterKey = clusterKey;
    }

    /**
     * Remembers where a stream is captured (a placement without {@code config}, from a report
     * answer, keeps the config a lookup brought).
     */
    void remember(StreamSource s, long nowMs) {
        if (s == null || s.name() == null || s.hostname() == null) {
            return;
        }
        Cached old = cache.get(s.name());
        StreamSource merged = s.config() != null || old == null ? s : new StreamSource(s.name(), s.hostname(),
                s.privateUrl(), s.publicUrl(), s.generation(), s.ready(), s.reason(), old.source().config());
        cache.put(s.name(), new Cached(merged, nowMs));
    }

    /** A placement learnt within {@link #CACHE_MS}, or null. */
    StreamSource cached(String name, long nowMs) {
        Cached c = cache.get(name);
        return c == null || nowMs - c.atMs() > CACHE_MS ? null : c.source();
    }

    void forget(String name) {
        cache.remove(name);
    }

    /** Drops placements older than {@link #CACHE_MS}. */
    void expire(long nowMs) {
        cache.values().removeIf(c -> nowMs - c.atMs() > CACHE_MS);
    }

    /** GET of a small text (a transcoded stream's master playlist on its source): the body of a 200, or null. */
    CompletableFuture<String> fetchText(String url) {
        HttpRequest req;
        try {
            req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).GET().build();
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(null);
        }
        return http.sendAsync(req, HttpResponse.BodyHandlers.ofString())
                .handle((resp, e) -> e == null && resp.statusCode() == 200 ? resp.body() : null);
    }

    CompletableFuture<Lookup> lookup(String name) {
        HttpRequest.Builder b;
        try {
            b = HttpRequest.newBuilder(URI.create(controlPlaneUrl + "/api/v1/agents/"
                    + URLEncoder.encode(hostname, StandardCharsets.UTF_8) + "/sources/" + name))
                    .timeout(Duration.ofSeconds(3)).header("Accept", "application/json").GET();
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(new Lookup(null, true, null));
        }
        if (clusterKey != null) {
            b.header("Authorization", "Bearer " + clusterKey);
        }
        return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray()).handle((resp, e) -> {
            if (e != null) {
                return new Lookup(null, false, "control plane " + controlPlaneUrl + " unreachable: " + e.getMessage());
            }
            if (resp.statusCode() == 404) {
                return new Lookup(null, true, null);
            }
            if (resp.statusCode() != 200) {
                return new Lookup(null, false, "source lookup answered HTTP " + resp.statusCode());
            }
            try {
                return new Lookup(Json.mapper().readValue(resp.body(), StreamSource.class), false, null);
            } catch (Exception ex) {
                return new Lookup(null, false, "source lookup answer unreadable: " + ex.getMessage());
            }
        });
    }
}
