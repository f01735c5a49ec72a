package io.tributary.agent.edge;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;

/**
 * Forwards a push (HTTP PUT/POST of MPEG-TS to {@code /{name}/mpegts}) received by a server that
 * does not capture the stream to the server that does, as a stream: bytes go on as they come, with
 * the encoder's connection paused whenever the capturing server reads slower. The capturing
 * server's answer is passed back.
 */
public final class PushForwarder {
    private final HttpClient client;

    public PushForwarder(Vertx vertx) {
        this.client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(3000).setTcpNoDelay(true));
    }

    /** {@code req} must be paused; it is resumed once the connection to {@code url} is open. */
    public void forward(HttpServerRequest req, String url) {
        HttpServerResponse resp = req.response();
        RequestOptions o = new RequestOptions().setMethod(req.method()).setAbsoluteURI(url);
        client.request(o).onComplete(ar -> {
            if (ar.failed()) {
                fail(resp, 502, "cannot reach the capturing server " + url + ": " + ar.cause().getMessage());
                return;
            }
            HttpClientRequest out = ar.result();
            out.setChunked(true);
            String type = req.getHeader("Content-Type");
            if (type != null) {
                out.putHeader("Content-Type", type);
            }
            out.response().onComplete(r -> {
                if (r.failed()) {
                    fail(resp, 502, "the capturing server " + url + " failed: " + r.cause().getMessage());
                    return;
                }
                int status = r.result().statusCode();
                r.result().body().onComplete(b -> {
                    if (!resp.ended() && !resp.closed()) {
                        resp.setStatusCode(status);
                        if (b.succeeded() && b.result().length() > 0) {
                            resp.putHeader("Content-Type", "text/plain").end(b.result());
                        } else {
                            resp.end();
                        }
                    }
                });
            });
            req.connection().closeHandler(v -> out.reset());
            req.pipeTo(out);
        });
    }

    private static void fail(HttpServerResponse resp, int status, String message) {
        if (!resp.ended() && !resp.closed() && !resp.headWritten()) {
            resp.setStatusCode(status).putHeader("Content-Type", "text/plain").end(message + "\n");
        }
    }
}
