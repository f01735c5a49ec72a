package io.tributary.agent;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small but real RTSP server (RFC 2326) for tests: OPTIONS, DESCRIBE (SDP with one MP2T/90000
 * RTP stream, RFC 2250), SETUP with RTP interleaved over the RTSP TCP connection, PLAY,
 * GET_PARAMETER and TEARDOWN. After PLAY it sends a live MPEG-TS made by the bundled ffmpeg, 7 TS
 * packets per RTP packet. Each client gets its own ffmpeg. No RTP over UDP.
 */
public final class RtspTestServer implements AutoCloseable {
    private final ServerSocket server;
    private final List<String> ffmpegArgs;
    private final List<Socket> clients = new CopyOnWriteArrayList<>();
    private final List<Process> processes = new CopyOnWriteArrayList<>();
    private final AtomicInteger plays = new AtomicInteger();
    private final Thread acceptor;
    private volatile boolean closed;

    /** {@code ffmpegArgs}: an ffmpeg command line that writes live MPEG-TS to standard output. */
    public RtspTestServer(List<String> ffmpegArgs) throws IOException {
        this.ffmpegArgs = ffmpegArgs;
        this.server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::accept, "rtsp-test-server");
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    public String url(String path) {
        return "rtsp://127.0.0.1:" + server.getLocalPort() + "/" + path;
    }

    /** How many PLAY requests were answered. */
    public int plays() {
        return plays.get();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket s = server.accept();
                clients.add(s);
                Thread t = new Thread(() -> serve(s), "rtsp-test-client");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s; BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1))) {
            OutputStream out = s.getOutputStream();
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isEmpty()) {
                    continue;
                }
                String[] req = line.split(" ");
                Map<String, String> headers = new LinkedHashMap<>();
                String h;
                while ((h = in.readLine()) != null && !h.isEmpty()) {
                    int c = h.indexOf(':');
                    if (c > 0) {
                        headers.put(h.substring(0, c).trim().toLowerCase(Locale.ROOT), h.substring(c + 1).trim());
                    }
                }
                int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
                for (int i = 0; i < length; i++) {
                    in.read();
                }
                String cseq = headers.getOrDefault("cseq", "0");
                String method = req[0];
                String uri = req.length > 1 ? req[1] : "";
                switch (method) {
                    case "OPTIONS" -> reply(out, cseq, "Public: OPTIONS, DESCRIBE, SETUP, PLAY, GET_PARAMETER, TEARDOWN\r\n", null);
                    case "DESCRIBE" -> {
                        String sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=tributary test\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n"
                                + "a=control:*\r\nm=video 0 RTP/AVP 33\r\na=rtpmap:33 MP2T/90000\r\na=control:track1\r\n";
                        reply(out, cseq, "Content-Base: " + uri + "/\r\nContent-Type: application/sdp\r\n", sdp);
                    }
                    case "SETUP" -> {
                        String transport = headers.getOrDefault("transport", "");
                        if (!transport.contains("RTP/AVP/TCP")) {
                            status(out, cseq, "461 Unsupported Transport");
                        } else {
                            reply(out, cseq, "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\nSession: 4242;timeout=60\r\n",
                                    null);
                        }
                    }
                    case "PLAY" -> {
                        reply(out, cseq, "Session: 4242\r\nRange: npt=0.000-\r\n", null);
                        plays.incrementAndGet();
                        Thread t = new Thread(() -> stream(s, out), "rtsp-test-rtp");
                        t.setDaemon(true);
                        t.start();
                    }
                    case "GET_PARAMETER" -> reply(out, cseq, "Session: 4242\r\n", null);
                    case "TEARDOWN" -> {
                        reply(out, cseq, "Session: 4242\r\n", null);
                        return;
                    }
                    default -> status(out, cseq, "405 Method Not Allowed");
                }
            }
        } catch (IOException e) {
            // client went away
        } finally {
            clients.remove(s);
        }
    }

    private static void status(OutputStream out, String cseq, String status) throws IOException {
        synchronized (out) {
            out.write(("RTSP/1.0 " + status + "\r\nCSeq: " + cseq + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }
    }

    private static void reply(OutputStream out, String cseq, String headers, String body) throws IOException {
        byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.ISO_8859_1);
        String head = "RTSP/1.0 200 OK\r\nCSeq: " + cseq + "\r\n" + headers
                + (body == null ? "" : "Content-Length: " + b.length + "\r\n") + "\r\n";
        synchronized (out) {
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write(b);
            out.flush();
        }
    }

    /** RTP over the RTSP connection: '$', channel 0, length, then a 12-byte RTP header and 7 TS packets. */
    private void stream(Socket s, OutputStream out) {
        Process p = FfmpegTools.ffmpegPipe(ffmpegArgs.toArray(String[]::new));
        processes.add(p);
        long start = System.nanoTime();
        int seq = 0;
        byte[] ts = new byte[188 * 7];
        try (InputStream in = p.getInputStream()) {
            while (!closed && !s.isClosed()) {
                int n = in.readNBytes(ts, 0, ts.length);
                if (n <= 0) {
                    break;
                }
                long rtpTime = (System.nanoTime() - start) * 9 / 100_000;
                byte[] frame = new byte[4 + 12 + n];
                frame[0] = '$';
                frame[1] = 0;
                frame[2] = (byte) ((12 + n) >> 8);
                frame[3] = (byte) (12 + n);
                frame[4] = (byte) 0x80;
                frame[5] = 33;
                frame[6] = (byte) (seq >> 8);
                frame[7] = (byte) seq;
                for (int i = 0; i < 4; i++) {
                    frame[8 + i] = (byte) (rtpTime >> (24 - 8 * i));
                    frame[12 + i] = (byte) (0x1234ABCD >> (24 - 8 * i));
                }
                System.arraycopy(ts, 0, frame, 16, n);
                seq = (seq + 1) & 0xFFFF;
                synchronized (out) {
                    out.write(frame);
                    out.flush();
                }
            }
        } catch (IOException e) {
            // client went away
        } finally {
            FfmpegTools.kill(p);
            processes.remove(p);
        }
    }

    /** Drops every client and stops the sources (the server dies). */
    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Socket s : clients) {
            s.close();
        }
        processes.forEach(FfmpegTools::kill);
    }
}
