package io.tributary.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.api.ApiError;
import io.tributary.api.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * A client of the control plane's {@code /api/v1}: sends JSON with the bearer token, returns
 * 2xx answers, and turns every other answer into an {@link ApiFailure} carrying the API's
 * error body and a failed connection into an {@link UnreachableException}.
 */
public final class ApiClient {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final Settings settings;
    private final HttpClient http;
    private final ObjectMapper json = Json.mapper();

    /** One successful answer. */
    public record Reply(int status, String body, String etag) {
        public boolean hasBody() {
            return body != null && !body.isBlank();
        }
    }

    public ApiClient(Settings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public Settings settings() {
        return settings;
    }

    public ObjectMapper json() {
        return json;
    }

    public Reply get(String path, Map<String, ?> query) {
        return send("GET", path + queryString(query), null, null);
    }

    public Reply get(String path) {
        return get(path, Map.of());
    }

    public Reply put(String path, Object body, String ifMatch) {
        return send("PUT", path, body, ifMatch);
    }

    public Reply post(String path, Object body) {
        return send("POST", path, body, null);
    }

    public Reply delete(String path, String ifMatch) {
        return send("DELETE", path, null, ifMatch);
    }

    /** Reads a JSON answer into a wire record. */
    public <T> T read(Reply reply, Class<T> type) {
        try {
            return json.readValue(reply.body(), type);
        } catch (JsonProcessingException e) {
            throw new UnreachableException("the control plane at " + settings.url() + " answered with JSON this CLI "
                    + "cannot read as " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }

    /** Reads a JSON answer as a tree, keeping fields this CLI does not know. */
    public JsonNode tree(Reply reply) {
        try {
            return json.readTree(reply.body());
        } catch (JsonProcessingException e) {
            throw new UnreachableException("the control plane at " + settings.url() + " answered with something "
                    + "that is not JSON: " + abbreviate(reply.body()), e);
        }
    }

    /** {@code /api/v1/streams/a/b} for stream {@code a/b}: each part encoded, slashes kept. */
    public static String path(String prefix, String name) {
        StringJoiner j = new StringJoiner("/", prefix.endsWith("/") ? prefix : prefix + "/", "");
        for (String part : name.split("/", -1)) {
            j.add(encode(part));
        }
        return j.toString();
    }

    static String queryString(Map<String, ?> query) {
        StringJoiner j = new StringJoiner("&", "?", "");
        j.setEmptyValue("");
        new LinkedHashMap<>(query).forEach((k, v) -> {
            if (v != null) {
                j.add(encode(k) + "=" + encode(v.toString()));
            }
        });
        return j.toString();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private Reply send(String method, String path, Object body, String ifMatch) {
        URI uri = URI.create(settings.url().toString() + path);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).header("Accept", "application/json");
        if (settings.token() != null) {
            b.header("Authorization", "Bearer " + settings.token());
        }
        if (ifMatch != null) {
            b.header("If-Match", quoteEtag(ifMatch));
        }
        if (body != null) {
            try {
                b.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write the request body", e);
            }
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpConnectTimeoutException e) {
            throw unreachable("no connection within " + CONNECT_TIMEOUT.toSeconds() + " s", e);
        } catch (HttpTimeoutException e) {
            throw new UnreachableException("the control plane at " + settings.url() + " did not answer "
                    + method + " " + path + " within " + REQUEST_TIMEOUT.toSeconds() + " s", e);
        } catch (ConnectException e) {
            throw unreachable(e.getMessage() == null ? "connection refused" : e.getMessage(), e);
        } catch (IOException e) {
            if (rootCause(e) instanceof UnresolvedAddressException) {
                throw unreachable("unknown host " + settings.url().getHost(), e);
            }
            throw unreachable(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnreachableException("interrupted while waiting for the control plane", e);
        }
        if (r.statusCode() >= 200 && r.statusCode() < 300) {
            return new Reply(r.statusCode(), r.body(), r.headers().firstValue("ETag").map(ApiClient::unquoteEtag).orElse(null));
        }
        throw new ApiFailure(r.statusCode(), errorOf(r.statusCode(), r.body()));
    }

    private ApiError errorOf(int status, String body) {
        ApiError e = null;
        try {
            e = json.readValue(body, ApiError.class);
        } catch (JsonProcessingException | IllegalArgumentException ignored) {
            // not the API's error body: a proxy, or not a Tributary control plane at all
        }
        if (e == null || e.error() == null && e.message() == null) {
            e = new ApiError("http_" + status, "HTTP " + status + " from " + settings.url()
                    + (body == null || body.isBlank() ? "" : ": " + abbreviate(body)), null);
        }
        if (status == 401 && settings.token() == null) {
            e = new ApiError(e.error(), e.message() + " (no token given: use --token, TRIBUTARY_TOKEN or token= in "
                    + "~/.config/tributary/config)", e.field());
        }
        return e;
    }

    private UnreachableException unreachable(String why, Exception e) {
        return new UnreachableException("cannot reach the control plane at " + settings.url() + " (URL from "
                + settings.urlSource() + "): " + why, e);
    }

    /** ETags travel quoted; people type them bare. */
    static String quoteEtag(String tag) {
        String t = tag.trim();
        return t.startsWith("\"") || t.startsWith("W/") || t.equals("*") ? t : "\"" + t + "\"";
    }

    static String unquoteEtag(String tag) {
        String t = tag.trim();
        if (t.startsWith("W/")) {
            t = t.substring(2);
        }
        return t.replace("\"", "");
    }

    private static Throwable rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    private static String abbreviate(String s) {
        String one = s.strip().replaceAll("\\s+", " ");
        return one.length() > 200 ? one.substring(0, 200) + "..." : one;
    }
}
