package io.tributary.agent.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.NetworkInterface;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

import io.tributary.agent.ffmpeg.Interrupt;

/**
 * Raw MPEG-TS bytes of an input the copy path passes through without libavformat (see
 * {@link TsPassthrough}): a local file (paced by the session), UDP datagrams, or a publisher's
 * HTTP push. Reads poll in short slices so the capture can check its deadline and stop flag.
 */
interface TsInput extends AutoCloseable {
    /** Poll slice of a blocking read: a read returns 0 after this long without data. */
    int POLL_MS = 100;

    /** Reads up to {@code len} bytes; 0 when nothing came within a poll slice, -1 at the end of the input. */
    int read(byte[] buf, int off, int len) throws IOException;

    /** Whether the input delivers faster than real time (a file) and the session must pace it. */
    default boolean needsPacing() {
        return false;
    }

    @Override
    void close();

    /** A local file, read as fast as the session asks (the session paces it by its timestamps). */
    static TsInput file(Path path) throws IOException {
        InputStream in = Files.newInputStream(path);
        return new TsInput() {
            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                return in.read(buf, off, len);
            }

            @Override
            public boolean needsPacing() {
                return true;
            }

            @Override
            public void close() {
                try {
                    in.close();
                } catch (IOException e) {
                    // nothing left to release
                }
            }
        };
    }

    /** Whether the first bytes of a file look like MPEG-TS (sync byte every 188 bytes). */
    static boolean looksLikeTs(Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            byte[] b = in.readNBytes(188 * 3 + 1);
            return b.length > 188 * 3 && b[0] == 0x47 && b[188] == 0x47 && b[376] == 0x47 && b[564] == 0x47;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * A UDP input, as FFmpeg's udp:// reads it: bound to the URL's port on every address (or on
     * {@code localaddr=}), joining the group when the host is a multicast address.
     */
    static TsInput udp(String url) throws IOException {
        URI u = URI.create(url);
        if (u.getPort() <= 0) {
            throw new InputOpener.RefusedInput("udp url '" + url + "' needs a port");
        }
        String localAddr = null;
        if (u.getRawQuery() != null) {
            for (String kv : u.getRawQuery().split("&")) {
                if (kv.startsWith("localaddr=")) {
                    localAddr = kv.substring("localaddr=".length());
                }
            }
        }
        String host = u.getHost();
        InetAddress group = host == null || host.isEmpty() || host.equals("@") ? null : InetAddress.getByName(host);
        DatagramSocket socket;
        if (group != null && group.isMulticastAddress()) {
            MulticastSocket ms = new MulticastSocket(null);
            ms.setReuseAddress(true);
            ms.bind(new InetSocketAddress(u.getPort()));
            NetworkInterface nif = localAddr == null ? null
                    : NetworkInterface.getByInetAddress(InetAddress.getByName(localAddr));
            ms.joinGroup(new InetSocketAddress(group, u.getPort()), nif);
            socket = ms;
        } else {
            socket = new DatagramSocket(null);
            socket.setReuseAddress(true);
            socket.bind(localAddr == null ? new InetSocketAddress(u.getPort())
                    : new InetSocketAddress(InetAddress.getByName(localAddr), u.getPort()));
        }
        socket.setReceiveBufferSize(4 * 1024 * 1024);
        socket.setSoTimeout(POLL_MS);
        return new TsInput() {
            private final DatagramPacket packet = new DatagramPacket(new byte[0], 0);

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                packet.setData(buf, off, len);
                try {
                    socket.receive(packet);
                } catch (SocketTimeoutException e) {
                    return 0;
                }
                return packet.getLength();
            }

            @Override
            public void close() {
                socket.close();
            }
        };
    }

    /**
     * An {@code http(s)://} input that answers with MPEG-TS (by Content-Type or sync bytes), such
     * as another agent's {@code /{name}/mpegts}; null for anything else (an HLS playlist), which
     * libavformat then opens. Reads block up to {@code timeoutMs}; a cancelled deadline disconnects.
     */
    static TsInput http(String url, int timeoutMs, Deadline deadline) throws IOException {
        java.net.HttpURLConnection c = (java.net.HttpURLConnection) URI.create(url).toURL().openConnection();
        c.setConnectTimeout(timeoutMs);
        c.setReadTimeout(timeoutMs);
        c.setRequestProperty("User-Agent", "tributary-agent");
        deadline.onCancel(c::disconnect);
        boolean ok = false;
        try {
            int code = c.getResponseCode();
            if (code != 200) {
                throw new IOException("HTTP " + code + " " + c.getResponseMessage());
            }
            String type = String.valueOf(c.getContentType()).toLowerCase(java.util.Locale.ROOT);
            java.io.PushbackInputStream in = new java.io.PushbackInputStream(c.getInputStream(), 188 * 2 + 1);
            byte[] head = in.readNBytes(188 * 2 + 1);
            boolean ts = head.length > 376 && head[0] == 0x47 && head[188] == 0x47
                    && head[376] == 0x47;
            if (!ts && !type.contains("mp2t") && !type.contains("mpegts")) {
                return null;
            }
            in.unread(head);
            ok = true;
            return new TsInput() {
                @Override
                public int read(byte[] buf, int off, int len) throws IOException {
                    return in.read(buf, off, len);
                }

                @Override
                public void close() {
                    c.disconnect();
                }
            };
        } finally {
            if (!ok) {
                c.disconnect();
            }
        }
    }

    /** A publisher's push (PUT/POST /{name}/mpegts). */
    static TsInput publish(PublishPipe pipe, Interrupt interrupt) {
        PublishPipe.Reader r = pipe.javaReader(interrupt);
        return new TsInput() {
            @Override
            public int read(byte[] buf, int off, int len) {
                return r.read(buf, off, len);
            }

            @Override
            public void close() {
            }
        };
    }
}
