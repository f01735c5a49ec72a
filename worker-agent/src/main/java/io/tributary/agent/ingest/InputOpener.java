package io.tributary.agent.ingest;

import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import io.tributary.agent.ffmpeg.DemuxSource;
import io.tributary.agent.ffmpeg.FakeSource;
import io.tributary.agent.ffmpeg.Interrupt;
import io.tributary.agent.ffmpeg.PacketSource;
import io.tributary.api.stream.InputConfig;

/** Turns an input URL into an opened {@link PacketSource}, with I/O timeouts on every protocol. */
public final class InputOpener {
    private final Path fileRoot;

    public InputOpener(Path fileRoot) {
        this.fileRoot = fileRoot;
    }

    /** Thrown for an input the agent refuses to open (bad URL, file outside the root). */
    public static final class RefusedInput extends RuntimeException {
        public RefusedInput(String message) {
            super(message);
        }
    }

    public static String scheme(String url) {
        int colon = url.indexOf(':');
        return colon <= 0 ? "" : url.substring(0, colon).toLowerCase(Locale.ROOT);
    }

    public PacketSource open(InputConfig input, StreamOutput output, Interrupt interrupt) {
        String url = input.url();
        String scheme = scheme(url);
        long timeoutUs = input.effectiveSourceTimeout() * 1_000_000L;
        Map<String, String> opts = new LinkedHashMap<>();
        opts.put("rw_timeout", Long.toString(timeoutUs));
        opts.put("analyzeduration", "2000000");
        opts.put("probesize", "2000000");
        switch (scheme) {
            case "fake" -> {
                return fake(url, interrupt);
            }
            case "publish" -> {
                opts.remove("rw_timeout");
                return DemuxSource.openReader(output.publish().reader(interrupt), "mpegts", opts, interrupt);
            }
            case "file" -> {
                return new PacedSource(DemuxSource.open("file:" + filePath(url), null, opts, interrupt), interrupt);
            }
            case "udp" -> {
                opts.put("timeout", Long.toString(timeoutUs));
                opts.put("overrun_nonfatal", "1");
                opts.put("fifo_size", "50000");
                opts.put("buffer_size", "4194304");
                return DemuxSource.open(url, null, opts, interrupt);
            }
            case "http", "https" -> {
                opts.put("timeout", Long.toString(timeoutUs));
                return DemuxSource.open(url, null, opts, interrupt);
            }
            case "rtsp" -> {
                opts.put("timeout", Long.toString(timeoutUs));
                opts.put("rtsp_transport", "tcp");
                return DemuxSource.open(url, "rtsp", opts, interrupt);
            }
            case "rtmp" -> {
                return DemuxSource.open(url, null, opts, interrupt);
            }
            case "srt" -> {
                opts.put("timeout", Long.toString(timeoutUs));
                return DemuxSource.open(url, "mpegts", opts, interrupt);
            }
            default -> throw new RefusedInput("url scheme '" + scheme + "' is not supported");
        }
    }

    /**
     * Opens an MPEG-TS input for the pass-through copy path ({@link TsPassthrough}): udp://,
     * publish://, http(s):// answering MPEG-TS and file:// of a .ts file; null for every other
     * input (libavformat demuxes those).
     */
    TsInput openPassthrough(InputConfig input, StreamOutput output, Interrupt interrupt) {
        String url = input.url();
        try {
            switch (scheme(url)) {
                case "udp" -> {
                    return TsInput.udp(url);
                }
                case "publish" -> {
                    return TsInput.publish(output.publish(), interrupt);
                }
                case "http", "https" -> {
                    return interrupt instanceof Deadline d
                            ? TsInput.http(url, input.effectiveSourceTimeout() * 1000, d) : null;
                }
                case "file" -> {
                    Path p = Path.of(filePath(url));
                    return TsInput.looksLikeTs(p) ? TsInput.file(p) : null;
                }
                default -> {
                    return null;
                }
            }
        } catch (java.io.IOException e) {
            throw new RefusedInput(url + ": " + e.getMessage());
        }
    }

    private static PacketSource fake(String url, Interrupt interrupt) {
        int width = 1280;
        int height = 720;
        int rate = 25;
        String query = URI.create(url).getRawQuery();
        if (query != null) {
            for (String kv : query.split("&")) {
                int eq = kv.indexOf('=');
                if (eq < 0) {
                    continue;
                }
                String k = kv.substring(0, eq);
                String v = kv.substring(eq + 1);
                try {
                    if (k.equals("size")) {
                        String[] wh = v.toLowerCase(Locale.ROOT).split("x");
                        width = Integer.parseInt(wh[0]);
                        height = Integer.parseInt(wh[1]);
                    } else if (k.equals("rate")) {
                        rate = Integer.parseInt(v);
                    }
                } catch (RuntimeException e) {
                    throw new RefusedInput("fake input '" + url + "': size must be WxH and rate a number");
                }
            }
        }
        if (width < 16 || height < 16 || width > 3840 || height > 2160 || width % 2 != 0 || height % 2 != 0) {
            throw new RefusedInput("fake input size " + width + "x" + height + " must be even, 16x16 to 3840x2160");
        }
        if (rate < 1 || rate > 60) {
            throw new RefusedInput("fake input rate " + rate + " must be 1 to 60");
        }
        return new FakeSource(width, height, rate, interrupt);
    }

    /** The local path of a file:// URL, refused unless it lies under the configured file root. */
    String filePath(String url) {
        if (fileRoot == null) {
            throw new RefusedInput("file:// inputs are disabled: set TRIBUTARY_FILE_ROOT");
        }
        Path p;
        try {
            p = Path.of(URI.create(url)).toAbsolutePath().normalize();
        } catch (RuntimeException e) {
            throw new RefusedInput("file url '" + url + "' is malformed");
        }
        Path root = fileRoot.toAbsolutePath().normalize();
        if (!p.startsWith(root)) {
            throw new RefusedInput("file '" + p + "' is outside TRIBUTARY_FILE_ROOT " + root);
        }
        return p.toString();
    }
}
