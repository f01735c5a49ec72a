package io.tributary.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.tributary.agent.ffmpeg.Natives;
import io.tributary.agent.transcode.Ladder;
import io.tributary.api.stream.AudioTranscode;
import io.tributary.api.stream.Size;
import io.tributary.api.stream.Transcoder;
import io.tributary.api.stream.VideoRung;

/**
 * Benchmark (not part of the suite: run by bench/transcode.sh): frames per second of one 1080p ->
 * 720p/480p/360p ladder in the agent's transcoder vs the bundled ffmpeg CLI with the same settings
 * and threads, on the same generated input, in the same run.
 */
@Tag("bench")
class LadderBench {
    static final int SECONDS = Integer.getInteger("bench.seconds", 12);
    static final int FPS = 25;
    static final int ROUNDS = Integer.getInteger("bench.rounds", 2);

    @TempDir
    Path dir;

    @Test
    void ladderVersusCli() throws Exception {
        Natives.load("error");
        Path in = dir.resolve("in-1080p.ts");
        FfmpegTools.ffmpegRun("-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=" + FPS + ":duration=" + SECONDS,
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=" + SECONDS, "-c:v", "libx264",
                "-preset", "veryfast", "-b:v", "6M", "-g", "50", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k",
                "-f", "mpegts", "-y", in.toString());
        long frames = (long) SECONDS * FPS;
        int threads = Ladder.DEFAULT_THREADS;

        Transcoder t = new Transcoder(List.of(
                new VideoRung(3_000_000L, new Size(-1, 720), "veryfast", null, "h264", null),
                new VideoRung(1_500_000L, new Size(-1, 480), "veryfast", null, "h264", null),
                new VideoRung(800_000L, new Size(-1, 360), "veryfast", null, "h264", null)),
                new AudioTranscode("aac", 128_000L));
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        // The same ladder with the CLI: same sizes, bitrates, maxrate/bufsize, GOP, forced IDR at
        // the GOP boundaries, no scenecut, bicubic scaling, 2 threads per encoder and for the decoder,
        // one AAC encode, one MPEG-TS output holding the three rungs and the audio.
        // The agent's GOP is one segment (the default 2 s), max keyint twice that (RungEncoder).
        int segmentMs = io.tributary.api.stream.StreamConfig.DEFAULT_SEGMENT_DURATION_MS;
        int gopFrames = FPS * segmentMs / 1000;
        String gop = Integer.toString(gopFrames);
        String[] cli = {"-threads", Integer.toString(threads), "-i", in.toString(), "-filter_complex",
                "[0:v]split=3[a][b][c];[a]scale=-2:720:flags=bicubic[o1];[b]scale=-2:480:flags=bicubic[o2];"
                        + "[c]scale=-2:360:flags=bicubic[o3]",
                "-map", "[o1]", "-map", "[o2]", "-map", "[o3]", "-map", "0:a",
                "-c:v", "libx264", "-preset", "veryfast", "-threads", Integer.toString(threads),
                "-g", Integer.toString(gopFrames * 2), "-keyint_min", gop, "-x264-params", "scenecut=0", "-forced-idr", "1",
                "-force_key_frames", "expr:gte(t,n_forced*" + segmentMs / 1000.0 + ")",
                "-b:v:0", "3M", "-maxrate:v:0", "4.5M", "-bufsize:v:0", "6M",
                "-b:v:1", "1.5M", "-maxrate:v:1", "2.25M", "-bufsize:v:1", "3M",
                "-b:v:2", "800k", "-maxrate:v:2", "1.2M", "-bufsize:v:2", "1.6M",
                "-c:a", "aac", "-b:a", "128k", "-f", "mpegts", "-y", dir.resolve("cli.ts").toString()};
        // Rounds alternate agent and CLI so both see the same share of a shared machine; best of each.
        double agentFps = 0;
        double cliFps = 0;
        StringBuilder rounds = new StringBuilder();
        StringBuilder perThread = new StringBuilder();
        StringBuilder cliPerThread = new StringBuilder();
        for (int round = 1; round <= ROUNDS; round++) {
            Map<String, Long> threads0 = threadTicks("self");
            Map<String, Long> threads1 = new java.util.concurrent.ConcurrentHashMap<>();
            var sampler = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
            // Threads end with the ladder: keep the last figure seen of each.
            sampler.scheduleAtFixedRate(() -> threads1.putAll(threadTicks("self")), 0, 2, TimeUnit.SECONDS);
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            TranscodeLadderTest.Result r = TranscodeLadderTest.runIn(dir, "bench" + round, in, t, System::nanoTime, segmentMs);
            double agentSec = (System.nanoTime() - t0) / 1e9;
            double agentCpu = (os.getProcessCpuTime() - cpu0) / 1e9;
            assertThat(r.frames()).isGreaterThanOrEqualTo(frames - 5);
            perThread.setLength(0);
            sampler.shutdownNow();
            sampler.awaitTermination(5, TimeUnit.SECONDS);
            perThread.append(busiest(threads0, threads1));
            agentFps = Math.max(agentFps, r.frames() / agentSec);

            long t1 = System.nanoTime();
            Process p = FfmpegTools.ffmpeg(cli);
            double cliCpu = 0;
            Map<String, Long> cliThreads = new HashMap<>();
            int ticks = 0;
            while (!p.waitFor(100, TimeUnit.MILLISECONDS)) {
                cliCpu = p.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(cliCpu);
                if (ticks++ % 10 == 0) {
                    cliThreads.putAll(threadTicks(Long.toString(p.pid())));
                }
            }
            cliPerThread.setLength(0);
            cliPerThread.append(busiest(Map.of(), cliThreads));
            double cliSec = (System.nanoTime() - t1) / 1e9;
            assertThat(p.exitValue()).as("ffmpeg exit").isZero();
            assertThat(Files.size(dir.resolve("cli.ts"))).isPositive();
            cliFps = Math.max(cliFps, frames / cliSec);
            rounds.append(String.format(Locale.ROOT,
                    "BENCH round %d: agent %.1f fps (%.2f s wall, %.1f CPU s), ffmpeg CLI %.1f fps (%.2f s wall, >= %.1f CPU s)%n",
                    round, r.frames() / agentSec, agentSec, agentCpu, frames / cliSec, cliSec, cliCpu));
        }

        System.out.println(String.format(Locale.ROOT,
                "BENCH transcode input=1920x1080@%d %d frames; ladder 720p 3M / 480p 1.5M / 360p 800k x264 veryfast,"
                        + " aac 128k, %d threads per encoder and for the decoder, GOP %d frames (IDR forced every %d ms),"
                        + " bicubic scaling", FPS, frames, threads, gopFrames, segmentMs));
        System.out.println("BENCH ffmpeg " + String.join(" ", cli));
        System.out.print(rounds);
        System.out.println("BENCH agent CPU seconds per thread (last round; threads FFmpeg starts carry their creator's name): "
                + perThread);
        System.out.println("BENCH ffmpeg CLI CPU seconds per thread (last round, sampled every second): " + cliPerThread);
        System.out.println(String.format(Locale.ROOT, "BENCH agent ladder (best): %.1f fps", agentFps));
        System.out.println(String.format(Locale.ROOT, "BENCH ffmpeg CLI (best):   %.1f fps", cliFps));
        System.out.println(String.format(Locale.ROOT, "BENCH ratio agent/cli: %.2f", agentFps / cliFps));
        System.out.println(String.format(Locale.ROOT,
                "BENCH real-time ladders on this machine (agent fps / %d, one ladder measured alone): %.2f",
                FPS, agentFps / FPS));
    }

    /** CPU clock ticks of every thread of this process by "name/tid", from /proc/self/task. */
    private static Map<String, Long> threadTicks(String pid) {
        Map<String, Long> m = new HashMap<>();
        try (var tasks = Files.list(Path.of("/proc", pid, "task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    m.put(name + "/" + t.getFileName(), Long.parseLong(f[11]) + Long.parseLong(f[12]));
                } catch (java.io.IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (java.io.IOException e) {
            return m;
        }
        return m;
    }

    private static String busiest(Map<String, Long> before, Map<String, Long> after) {
        return after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() > 10)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .map(e -> String.format(Locale.ROOT, "%s %.1f", e.getKey(), e.getValue() / 100.0))
                .collect(Collectors.joining(", "));
    }
}
