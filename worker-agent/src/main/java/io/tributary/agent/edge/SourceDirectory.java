package io.tributary.agent.edge;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import io.tributary.api.Json;
import io.tributary.api.agent.StreamSource;

/**
 * Asks the control plane which server captures a stream:
 * {@code GET /api/v1/agents/{hostname}/sources/{name}} with the cluster key.
 */
final class SourceDirectory {
    /** What a lookup found: the source, or that the stream does not exist, or why the control plane could not say. */
    record Lookup(StreamSource source, boolean notFound, String error) {
    }

    private final String controlPlaneUrl;
    private final String hostname;
    private final String clusterKey;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    SourceDirectory(String controlPlaneUrl, String hostname, String clusterKey) {
        this.controlPlaneUrl = controlPlaneUrl;
        this.hostname = hostname;
        this.clusterKey = clusterKey;
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
