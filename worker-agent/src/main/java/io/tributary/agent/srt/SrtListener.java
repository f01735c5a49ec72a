package io.tributary.agent.srt;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;

import io.tributary.agent.edge.EdgeStreams;
import io.tributary.agent.ingest.Capture;
import io.tributary.agent.ingest.CaptureSupervisor;
import io.tributary.agent.ingest.PublishPipe;
import io.tributary.agent.ingest.StreamOutput;

/**
 * SRT publish on one UDP port shared by every stream: the caller's {@code streamid} names the
 * stream ({@link StreamId}). The handshake is refused with an SRT rejection code when the push
 * cannot be taken: 1400 (malformed streamid), 1405 (not m=publish), 1403 (the stream has no
 * {@code publish://} input), 1409 (another publisher pushes), 1404 (the stream is not captured
 * here and there is no control plane to find it). The MPEG-TS the caller sends goes into the
 * stream's publish pipe, as an HTTP push does; a push for a stream captured on another server is
 * forwarded there over HTTP ({@code PUT /{name}/mpegts}) as an HTTP push is. One thread accepts,
 * one thread per caller reads.
 */
public final class SrtListener implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SrtListener.class.getName());
    private static final int AF_INET = 2;
    private static final int READ_TIMEOUT_MS = 200;

    private final LibSrt srt;
    private final CaptureSupervisor supervisor;
    private final EdgeStreams edge;
    private final String hostname;
    private final int socket;
    private final int port;
    private final LibSrt.ListenCallback callback = this::onHandshake;
    private final Map<Integer, String> sessions = new ConcurrentHashMap<>();
    private final AtomicLong rejected = new AtomicLong();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3)).build();
    private final Thread acceptor;
    private final Map<Integer, Thread> readers = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private volatile String lastRejection;

    private SrtListener(LibSrt srt, CaptureSupervisor supervisor, EdgeStreams edge, String hostname, String bind,
            int wantedPort, int latencyMs) throws IOException {
        this.srt = srt;
        this.supervisor = supervisor;
        this.edge = edge;
        this.hostname = hostname;
        this.socket = srt.srt_create_socket();
        if (socket < 0) {
            throw new IOException("SRT: cannot create a socket: " + srt.srt_getlasterror_str());
        }
        try {
            srt.srt_setsockflag(socket, LibSrt.SRTO_LATENCY, new IntByReference(latencyMs), 4);
            byte[] addr = sockaddr(bind, wantedPort);
            if (srt.srt_bind(socket, addr, addr.length) < 0) {
                throw new IOException("SRT: cannot bind " + bind + ":" + wantedPort + " (TRIBUTARY_SRT_PORT): "
                        + srt.srt_getlasterror_str());
            }
            if (srt.srt_listen_callback(socket, callback, null) < 0 || srt.srt_listen(socket, 64) < 0) {
                throw new IOException("SRT: cannot listen on " + bind + ":" + wantedPort + ": " + srt.srt_getlasterror_str());
            }
            byte[] bound = new byte[16];
            IntByReference len = new IntByReference(bound.length);
            srt.srt_getsockname(socket, bound, len);
            this.port = ((bound[2] & 0xff) << 8) | (bound[3] & 0xff);
        } catch (IOException | RuntimeException e) {
            srt.srt_close(socket);
            throw e;
        }
        acceptor = new Thread(this::acceptLoop, "srt-accept-" + port);
        acceptor.setDaemon(true);
    }

    /** Listens on {@code bind:port} (port 0: any free port, see {@link #port()}). */
    public static SrtListener start(CaptureSupervisor supervisor, EdgeStreams edge, String hostname, String bind,
            int port, int latencyMs) throws IOException {
        SrtListener l = new SrtListener(LibSrt.load(), supervisor, edge, hostname, bind, port, latencyMs);
        l.acceptor.start();
        LOG.log(Level.INFO, "host=" + hostname + ": SRT publish listening on " + bind + ":" + l.port
                + " (streamid=NAME or #!::r=NAME,m=publish)");
        return l;
    }

    public int port() {
        return port;
    }

    /** Callers pushing now. */
    public int sessions() {
        return sessions.size();
    }

    public long rejected() {
        return rejected.get();
    }

    public String lastRejection() {
        return lastRejection;
    }

    /** Runs on libsrt's receiver thread during the handshake: must not block. */
    private int onHandshake(Pointer opaque, int ns, int hsVersion, Pointer peer, String streamId) {
        int code;
        String why;
        try {
            StreamId id = StreamId.parse(streamId);
            Capture c = supervisor.capture(id.name());
            StreamOutput out = supervisor.output(id.name());
            if (c != null && !c.acceptsPublish()) {
                code = LibSrt.REJX_FORBIDDEN;
                why = "stream " + id.name() + " has no publish:// input";
            } else if (c != null && out != null && out.publish().hasActivePublisher()) {
                code = LibSrt.REJX_CONFLICT;
                why = "another publisher is pushing to " + id.name();
            } else if (c == null && edge == null) {
                code = LibSrt.REJX_NOTFOUND;
                why = "stream " + id.name() + " is not captured on " + hostname;
            } else {
                return 0;
            }
        } catch (StreamId.Invalid e) {
            code = e.code();
            why = e.getMessage();
        } catch (RuntimeException e) {
            code = LibSrt.REJX_BAD_REQUEST;
            why = "refused: " + e;
        }
        rejected.incrementAndGet();
        lastRejection = why;
        LOG.log(Level.INFO, "host=" + hostname + ": SRT caller refused (" + code + "): " + why);
        srt.srt_setrejectreason(ns, code);
        return -1;
    }

    private void acceptLoop() {
        while (!closed) {
            byte[] addr = new byte[128];
            int s = srt.srt_accept(socket, addr, new IntByReference(addr.length));
            if (s < 0) {
                if (!closed) {
                    LOG.log(Level.WARNING, "host=" + hostname + ": SRT accept failed: " + srt.srt_getlasterror_str());
                }
                return;
            }
            Thread t = new Thread(() -> session(s), "srt-session-" + s);
            t.setDaemon(true);
            readers.put(s, t);
            t.start();
        }
    }

    private void session(int s) {
        String name = null;
        Sink sink = null;
        try {
            name = StreamId.parse(streamIdOf(s)).name();
            sessions.put(s, name);
            srt.srt_setsockflag(s, LibSrt.SRTO_RCVTIMEO, new IntByReference(READ_TIMEOUT_MS), 4);
            sink = sinkFor(name);
            if (sink == null) {
                return;
            }
            LOG.log(Level.INFO, "stream=" + name + " host=" + hostname + ": SRT publisher connected" + sink.describe());
            byte[] buf = new byte[1500];
            while (!closed && !sink.failed()) {
                int n = srt.srt_recvmsg(s, buf, buf.length);
                if (n < 0) {
                    if (srt.srt_getlasterror(null) == LibSrt.ETIMEOUT) {
                        continue;
                    }
                    break; // the caller went away
                }
                if (n > 0 && !sink.write(Arrays.copyOf(buf, n))) {
                    break;
                }
            }
            LOG.log(Level.INFO, "stream=" + name + " host=" + hostname + ": SRT publisher disconnected"
                    + (sink.failed() ? ": " + sink.error() : ""));
        } catch (StreamId.Invalid | RuntimeException e) {
            LOG.log(Level.WARNING, "host=" + hostname + ": SRT session of " + name + " failed: " + e);
        } finally {
            if (sink != null) {
                sink.end();
            }
            sessions.remove(s);
            srt.srt_close(s);
            readers.remove(s);
        }
    }

    private String streamIdOf(int s) {
        byte[] v = new byte[512];
        IntByReference len = new IntByReference(v.length);
        if (srt.srt_getsockflag(s, LibSrt.SRTO_STREAMID, v, len) < 0) {
            return null;
        }
        return new String(v, 0, Math.max(0, Math.min(len.getValue(), v.length)), StandardCharsets.UTF_8);
    }

    /** Where a caller's bytes go: the local capture's publish pipe, or the capturing server; null refuses. */
    private Sink sinkFor(String name) {
        StreamOutput out = supervisor.output(name);
        Capture c = supervisor.capture(name);
        if (out == null && edge != null) {
            EdgeStreams.Access a;
            try {
                a = edge.pushTarget(name).get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                refuseLater(name, "cannot find the capturing server: " + e);
                return null;
            }
            if (a.output() == null && a.forwardUrl() != null) {
                return new ForwardSink(a.forwardUrl());
            }
            if (a.output() == null) {
                refuseLater(name, a.message() == null ? "status " + a.status() : a.message().trim());
                return null;
            }
            out = a.output();
            c = supervisor.capture(name);
        }
        if (out == null || c == null || !c.acceptsPublish()) {
            refuseLater(name, out == null ? "not captured here" : "no publish:// input");
            return null;
        }
        LocalSink local = new LocalSink();
        local.session = out.publish().attach(local::drained);
        if (local.session == null) {
            refuseLater(name, "another publisher is pushing");
            return null;
        }
        return local;
    }

    private void refuseLater(String name, String why) {
        rejected.incrementAndGet();
        lastRejection = "stream " + name + ": " + why;
        LOG.log(Level.INFO, "stream=" + name + " host=" + hostname + ": SRT caller dropped after the handshake: " + why);
    }

    @Override
    public void close() {
        closed = true;
        srt.srt_close(socket);
        for (Integer s : sessions.keySet()) {
            srt.srt_close(s);
        }
        // No thread may be inside libsrt when it is cleaned up (a crash at exit otherwise).
        try {
            acceptor.join(2000);
            for (Thread t : readers.values()) {
                t.join(2000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        srt.srt_cleanup();
    }

    /** A struct sockaddr_in for an IPv4 address and port. */
    public static byte[] sockaddr(String bind, int port) throws IOException {
        byte[] ip = InetAddress.getByName(bind).getAddress();
        if (ip.length != 4) {
            throw new IOException("SRT: TRIBUTARY_SRT_BIND must be an IPv4 address, not " + bind);
        }
        byte[] a = new byte[16];
        a[0] = AF_INET; // sa_family_t, little-endian
        a[2] = (byte) (port >> 8);
        a[3] = (byte) port;
        System.arraycopy(ip, 0, a, 4, 4);
        return a;
    }

    /** The bytes of one caller's session. */
    private interface Sink {
        /** False when the bytes cannot go anywhere any more. */
        boolean write(byte[] bytes);

        void end();

        boolean failed();

        String error();

        String describe();
    }

    /** Into the publish pipe of a capture on this agent, waiting while the capture reads slower. */
    private final class LocalSink implements Sink {
        private PublishPipe.Session session;
        private final Object drain = new Object();

        void drained() {
            synchronized (drain) {
                drain.notifyAll();
            }
        }

        @Override
        public boolean write(byte[] bytes) {
            session.push(bytes);
            synchronized (drain) {
                while (session.full() && !session.ended() && !closed) {
                    try {
                        drain.wait(100);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                }
            }
            return !session.ended();
        }

        @Override
        public void end() {
            session.end();
        }

        @Override
        public boolean failed() {
            return false;
        }

        @Override
        public String error() {
            return null;
        }

        @Override
        public String describe() {
            return "";
        }
    }

    /** As an HTTP push to the server that captures the stream, streamed with chunked encoding. */
    private final class ForwardSink implements Sink {
        private static final byte[] EOF = new byte[0];
        private final String url;
        private final ArrayBlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(2048);
        private final CompletableFuture<HttpResponse<String>> response;
        private volatile String error;

        ForwardSink(String url) {
            this.url = url;
            HttpRequest req = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "video/mp2t")
                    .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new QueueInput())).build();
            response = http.sendAsync(req, HttpResponse.BodyHandlers.ofString());
            response.whenComplete((r, e) -> {
                if (e != null) {
                    error = "the capturing server " + url + " failed: " + e.getMessage();
                } else if (r.statusCode() / 100 != 2) {
                    error = "the capturing server " + url + " answered " + r.statusCode() + ": " + r.body().trim();
                }
            });
        }

        @Override
        public boolean write(byte[] bytes) {
            try {
                while (!queue.offer(bytes, 100, TimeUnit.MILLISECONDS)) {
                    if (failed() || closed) {
                        return false;
                    }
                }
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        @Override
        public void end() {
            queue.clear();
            queue.offer(EOF);
        }

        @Override
        public boolean failed() {
            return error != null;
        }

        @Override
        public String error() {
            return error;
        }

        @Override
        public String describe() {
            return ", forwarded to " + url;
        }

        /** The request body: the caller's bytes as they come, ending with the session. */
        private final class QueueInput extends InputStream {
            private byte[] chunk;
            private int pos;
            private boolean done;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (done) {
                    return -1;
                }
                while (chunk == null || pos >= chunk.length) {
                    try {
                        chunk = queue.poll(100, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted");
                    }
                    pos = 0;
                    if (chunk == EOF || (chunk == null && (closed || failed()))) {
                        done = true;
                        return -1;
                    }
                }
                int n = Math.min(len, chunk.length - pos);
                System.arraycopy(chunk, pos, b, off, n);
                pos += n;
                return n;
            }
        }
    }
}
