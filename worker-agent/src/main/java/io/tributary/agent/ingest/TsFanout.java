package io.tributary.agent.ingest;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/**
 * Hands the muxed MPEG-TS bytes of one capture to every live {@code /mpegts} client. The capture
 * thread never waits: each write is posted to the client's event loop, and a client whose write
 * queue is full (too slow) is disconnected. A new client first gets the {@link GopCache} burst
 * (PAT, PMT, the bytes since a keyframe), so a player or an edge's pull starts without waiting
 * for the next keyframe.
 */
public final class TsFanout {
    private static final int CLIENT_QUEUE_BYTES = 4 * 1024 * 1024;

    private final CopyOnWriteArrayList<Client> clients = new CopyOnWriteArrayList<>();
    private final AtomicLong bytesSent;
    private final AtomicLong droppedClients = new AtomicLong();
    /** Guarded by itself: a client added between two chunks gets the burst up to the first and every chunk after. */
    private final GopCache cache = new GopCache();

    public TsFanout(AtomicLong bytesSent) {
        this.bytesSent = bytesSent;
    }

    private final class Client {
        private final Context context;
        private final HttpServerResponse response;
        private boolean closed;

        Client(Context context, HttpServerResponse response) {
            this.context = context;
            this.response = response;
        }

        void send(Buffer buf) {
            if (closed) {
                return;
            }
            if (response.writeQueueFull()) {
                closed = true;
                clients.remove(this);
                droppedClients.incrementAndGet();
                response.reset();
                return;
            }
            response.write(buf);
            bytesSent.addAndGet(buf.length());
        }

        void end() {
            if (!closed) {
                closed = true;
                response.end();
            }
        }
    }

    /** Registers a client; must be called on the response's event loop. */
    public void add(Context context, HttpServerResponse response) {
        Client c = new Client(context, response);
        response.setWriteQueueMaxSize(CLIENT_QUEUE_BYTES);
        response.closeHandler(v -> {
            c.closed = true;
            clients.remove(c);
        });
        List<byte[]> burst;
        synchronized (cache) {
            burst = cache.burst();
            clients.add(c);
        }
        // Written here, on the client's event loop, before any chunk published after the add (those are posted to it).
        if (!burst.isEmpty()) {
            Buffer b = Buffer.buffer();
            burst.forEach(b::appendBytes);
            response.write(b);
            bytesSent.addAndGet(b.length());
        }
    }

    public void publish(byte[] bytes) {
        synchronized (cache) {
            cache.append(bytes);
            if (clients.isEmpty()) {
                return;
            }
            Buffer buf = Buffer.buffer(bytes);
            for (Client c : clients) {
                c.context.runOnContext(v -> c.send(buf));
            }
        }
    }

    /** Bytes the GOP cache holds now. */
    public long cachedBytes() {
        synchronized (cache) {
            return cache.bytes();
        }
    }

    public int clientCount() {
        return clients.size();
    }

    public long droppedClients() {
        return droppedClients.get();
    }

    /** Ends every client's response (the stream left this server). */
    public void closeAll() {
        for (Client c : clients) {
            c.context.runOnContext(v -> c.end());
        }
        clients.clear();
    }
}
