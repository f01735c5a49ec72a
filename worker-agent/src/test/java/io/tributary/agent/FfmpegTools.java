package io.tributary.agent;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.bytedeco.javacpp.Loader;

/**
 * The bundled ffmpeg and ffprobe executables (from the JavaCPP presets) run as separate processes:
 * test sources and probes, no system ffmpeg needed. They need libva.so.2 names next to them and
 * Debian's libpulse0 installed.
 */
public final class FfmpegTools {
    private static Path ffmpeg;
    private static Path ffprobe;
    private static String libraryPath;

    private FfmpegTools() {
    }

    private static synchronized void init() {
        if (ffmpeg != null) {
            return;
        }
        try {
            ffmpeg = Path.of(Loader.load(org.bytedeco.ffmpeg.ffmpeg.class));
            ffprobe = Path.of(Loader.load(org.bytedeco.ffmpeg.ffprobe.class));
            Path dir = ffmpeg.getParent();
            Path links = Files.createTempDirectory("tributary-libva");
            for (String[] l : new String[][] {{"libva.so", "libva.so.2"}, {"libva-drm.so", "libva-drm.so.2"}}) {
                if (Files.exists(dir.resolve(l[0]))) {
                    Files.createSymbolicLink(links.resolve(l[1]), dir.resolve(l[0]));
                }
            }
            libraryPath = dir + ":" + links;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Process ffmpeg(String... args) {
        return start(false, args);
    }

    /** Starts ffmpeg with its standard output readable (for {@code -f mpegts -}). */
    public static Process ffmpegPipe(String... args) {
        return start(true, args);
    }

    private static Process start(boolean pipe, String... args) {
        init();
        List<String> cmd = new ArrayList<>(List.of(ffmpeg.toString(), "-hide_banner", "-nostdin", "-loglevel", "error"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("LD_LIBRARY_PATH", libraryPath);
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        if (!pipe) {
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        }
        try {
            return pb.start();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs ffmpeg to completion (e.g. to make a fixture file). */
    public static void ffmpegRun(String... args) throws Exception {
        Process p = ffmpeg(args);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("ffmpeg failed: " + String.join(" ", args));
        }
    }

    /** Runs ffprobe and returns its standard output. */
    public static String ffprobe(String... args) throws Exception {
        init();
        List<String> cmd = new ArrayList<>(List.of(ffprobe.toString(), "-v", "error"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("LD_LIBRARY_PATH", libraryPath);
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

    /** The lavfi test source arguments: small and cheap, with a keyframe every second. */
    public static List<String> liveSource(String size) {
        return List.of("-re", "-f", "lavfi", "-i", "testsrc2=size=" + size + ":rate=25", "-f", "lavfi", "-i",
                "sine=frequency=440:sample_rate=48000", "-c:v", "libx264", "-preset", "ultrafast", "-tune",
                "zerolatency", "-g", "25", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k");
    }

    public static String[] args(List<String> a, String... more) {
        List<String> all = new ArrayList<>(a);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    public static int freeTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0)) {
            return s.getLocalPort();
        }
    }

    public static void kill(Process p) {
        if (p != null) {
            p.destroy();
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
