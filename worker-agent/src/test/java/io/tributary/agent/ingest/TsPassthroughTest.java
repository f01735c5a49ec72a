package io.tributary.agent.ingest;

import static io.tributary.agent.FfmpegTools.args;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import io.tributary.agent.FfmpegTools;
import io.tributary.agent.hls.HlsOutput;
import io.tributary.agent.hls.Segmenter;
import io.tributary.api.stream.Track;

/**
 * The MPEG-TS pass-through on real H.264 and HEVC streams made by ffmpeg, with garbage spliced in
 * and odd read sizes: every segment starts with PAT/PMT and a keyframe, ffprobe reads it, EXTINF
 * stays within the target and sums to the media's duration.
 */
class TsPassthroughTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"libx264", "libx265"})
    void cutsOnKeyframesAndWritesSegmentsFfprobeReads(String encoder) throws Exception {
        Path src = dir.resolve("src.ts");
        FfmpegTools.ffmpegRun(args(List.of("-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25", "-f", "lavfi", "-i",
                "sine=frequency=440:sample_rate=48000", "-t", "6", "-c:v", encoder, "-preset", "ultrafast", "-g", "25",
                "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k"),
                encoder.equals("libx265") ? new String[] {"-x265-params", "log-level=error:keyint=25:min-keyint=25:scenecut=0",
                        "-f", "mpegts", src.toString()} : new String[] {"-f", "mpegts", src.toString()}));
        byte[] ts = Files.readAllBytes(src);
        // Random bytes spliced in off a packet boundary: the parser must resync.
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        int cut = 188 * 300 + 77;
        in.write(ts, 0, cut);
        byte[] junk = new byte[999];
        new Random(7).nextBytes(junk);
        for (int i = 0; i < junk.length; i++) {
            junk[i] = junk[i] == 0x47 ? 0 : junk[i];
        }
        in.write(junk);
        in.write(ts, cut, ts.length - cut);
        byte[] all = in.toByteArray();

        Path out = dir.resolve("out");
        HlsOutput hls = new HlsOutput(out, 20, 1000, 0, 0, Clock.systemUTC());
        List<List<Track>> pmts = new ArrayList<>();
        int[] finished = {0};
        TsPassthrough p = new TsPassthrough(new Segmenter(1000), hls, b -> {
            try {
                hls.write(b);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, new TsPassthrough.Events() {
            @Override
            public void tracks(List<Track> tracks) {
                pmts.add(tracks);
            }

            @Override
            public void segmentFinished() {
                finished[0]++;
            }
        });
        Random sizes = new Random(3);
        for (int off = 0; off < all.length; ) {
            int n = Math.min(all.length - off, 1 + sizes.nextInt(5000));
            p.accept(all, off, n);
            off += n;
        }
        p.finish();
        assertThat(p.garbageBytes()).isGreaterThan(0);
        assertThat(pmts).hasSize(1);
        assertThat(pmts.get(0)).extracting(Track::codec)
                .containsExactly(encoder.equals("libx265") ? "hevc" : "h264", "aac");

        String pl = Files.readString(out.resolve(HlsOutput.PLAYLIST));
        List<String> segs = pl.lines().filter(l -> l.startsWith("seg-")).toList();
        assertThat(segs.size()).isGreaterThanOrEqualTo(5);
        assertThat(finished[0]).isEqualTo(segs.size() - 1);
        int target = Integer.parseInt(pl.replaceAll("(?s).*#EXT-X-TARGETDURATION:(\\d+).*", "$1"));
        assertThat(target).isEqualTo(1);
        double total = 0;
        for (String l : pl.lines().filter(l -> l.startsWith("#EXTINF:")).toList()) {
            double d = Double.parseDouble(l.substring(8, l.indexOf(',')));
            assertThat(d).isLessThanOrEqualTo(1.0005).isGreaterThan(0);
            total += d;
        }
        assertThat(total).isBetween(5.5, 6.1);
        String codec = encoder.equals("libx265") ? "hevc" : "h264";
        for (String s : segs) {
            Path f = out.resolve(s);
            byte[] b = Files.readAllBytes(f);
            assertThat(b.length % 188).isZero();
            assertThat(b[0]).isEqualTo((byte) 0x47);
            assertThat(((b[1] & 0x1F) << 8) | (b[2] & 0xFF)).as("segment starts with the PAT").isZero();
            String first = FfmpegTools.ffprobe("-select_streams", "v:0", "-show_entries", "packet=flags", "-of",
                    "csv=p=0", f.toString()).lines().findFirst().orElse("");
            assertThat(first).as(s + " starts on a keyframe").startsWith("K");
            String streams = FfmpegTools.ffprobe("-show_entries", "stream=codec_name,width", "-of", "csv=p=0",
                    f.toString());
            assertThat(streams).as(s).contains(codec + ",160").contains("aac");
        }
    }

    @Test
    void theOneTimeProbeFillsSizesAndRates() throws Exception {
        Path src = dir.resolve("p.ts");
        FfmpegTools.ffmpegRun(args(List.of("-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25", "-f", "lavfi", "-i",
                "sine=frequency=440:sample_rate=48000", "-t", "2", "-c:v", "libx264", "-preset", "ultrafast",
                "-c:a", "aac"), "-f", "mpegts", src.toString()));
        byte[] b = Files.readAllBytes(src);
        List<Track> t = TsProbe.probe(b, b.length, () -> false);
        assertThat(t).extracting(Track::codec, Track::width, Track::fps, Track::sampleRate)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("h264", 320, 25.0, null),
                        org.assertj.core.groups.Tuple.tuple("aac", null, null, 48000));
        byte[] junk = new byte[64 * 1024];
        new Random(1).nextBytes(junk);
        assertThatThrownBy(() -> TsProbe.probe(junk, junk.length, () -> false))
                .isInstanceOf(io.tributary.agent.ffmpeg.FfmpegException.class);
    }
}
