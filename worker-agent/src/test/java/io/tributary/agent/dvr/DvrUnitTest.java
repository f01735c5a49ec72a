package io.tributary.agent.dvr;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.tributary.agent.hls.HlsOutput;
import io.tributary.api.stream.AssignmentInfo;
import io.tributary.api.stream.Dvr;
import io.tributary.api.stream.InputConfig;
import io.tributary.api.stream.StreamConfig;

/** DVR logic without media: retention, the index on disk, playlists, URL parsing. */
class DvrUnitTest {
    private static final long T0 = 1_764_000_000_000L; // 2025-11-24T16:00:00Z

    @TempDir
    Path tmp;

    private static StreamConfig stream(String name, Dvr dvr) {
        return new StreamConfig(name, null, List.of(new InputConfig("fake://x", null, null)), true, null, null, null,
                null, dvr, 2000, 4, null, null, new AssignmentInfo(1L, 0L, 0L, 10_000L));
    }

    /** Feeds the recorder {@code n} 2 s segments of {@code bytes} bytes from T0 on, like HlsOutput does. */
    private void record(HlsOutput.SegmentListener rec, int n, int bytes) throws Exception {
        Path hls = Files.createDirectories(tmp.resolve("hls"));
        for (int i = 0; i < n; i++) {
            Path f = hls.resolve("seg-" + i + ".ts");
            Files.write(f, new byte[bytes]);
            rec.segmentFinished(new HlsOutput.FinishedSegment(f, Instant.ofEpochMilli(T0 + i * 2000L), 2000, i,
                    i == 0, bytes));
            Files.delete(f); // the live window moves on; the archive keeps its link
        }
    }

    @Test
    void retentionByAgeWithInjectedClock() throws Exception {
        MutableClock clock = new MutableClock(T0 + 20_000);
        DvrStore store = new DvrStore(DvrConfig.load(java.util.Map.of("TRIBUTARY_DVR_MIN_FREE", "0"), tmp.resolve("dvr")),
                "a", clock);
        record(store.recorder(stream("cam/1", new Dvr(10L, null, null))), 10, 1000); // T0 .. T0+20 s
        assertThat(store.archive("cam/1").all()).hasSize(10);
        assertThat(tmp.resolve("dvr/cam~1/2025/11/24/16/" + T0 + "-2000-d.ts")).exists();
        store.clean(); // now = T0+20 s, 10 s kept: segments ending at or before T0+10 s go
        assertThat(store.archive("cam/1").all()).extracting(ArchiveSegment::startMs).first().isEqualTo(T0 + 10_000);
        assertThat(store.archive("cam/1").all()).hasSize(5);
        clock.now = T0 + 100_000;
        store.clean();
        assertThat(store.archive("cam/1").isEmpty()).isTrue();
        try (Stream<Path> left = Files.walk(tmp.resolve("dvr/cam~1"))) {
            assertThat(left.filter(p -> p.toString().endsWith(".ts"))).isEmpty();
        }
    }

    @Test
    void retentionBySizeKeepsTheNewest() throws Exception {
        DvrStore store = new DvrStore(DvrConfig.load(java.util.Map.of("TRIBUTARY_DVR_MIN_FREE", "0"), tmp.resolve("dvr")),
                "a", Clock.fixed(Instant.ofEpochMilli(T0 + 30_000), ZoneOffset.UTC));
        record(store.recorder(stream("s", new Dvr(86_400L, 3_500L, null))), 8, 1000);
        store.clean();
        assertThat(store.archive("s").bytes()).isEqualTo(3000);
        assertThat(store.archive("s").all()).extracting(ArchiveSegment::startMs)
                .containsExactly(T0 + 10_000, T0 + 12_000, T0 + 14_000);
        assertThat(Retention.toDelete(store.archive("s").all(), T0, null, null)).isEmpty();
    }

    @Test
    void diskLimitStopsRecordingWithAnErrorAndRecoversWhenSpaceReturns() throws Exception {
        MutableClock clock = new MutableClock(T0 + 10_000);
        DvrStore store = new DvrStore(DvrConfig.load(java.util.Map.of("TRIBUTARY_DVR_DISK_LIMIT", "2500",
                "TRIBUTARY_DVR_MIN_FREE", "0"), tmp.resolve("dvr")), "a", clock);
        HlsOutput.SegmentListener rec = store.recorder(stream("s", new Dvr(30L, null, null)));
        record(rec, 4, 1000);
        assertThat(store.archive("s").all()).hasSize(2);
        assertThat(store.statuses().get(0).error()).startsWith("dvr_disk_full: the DVR disk limit of 2500 bytes");
        clock.now = T0 + 60_000; // all expired: the next segment makes room and records
        Path f = tmp.resolve("hls/seg-9.ts");
        Files.write(f, new byte[1000]);
        rec.segmentFinished(new HlsOutput.FinishedSegment(f, Instant.ofEpochMilli(T0 + 58_000), 2000, 9, false, 1000));
        assertThat(store.archive("s").all()).hasSize(1);
        assertThat(store.statuses().get(0).error()).isNull();
    }

    @Test
    void agentWideSettingsComeFromTheEnvironmentOrTheConfigFileWithSizeSuffixes() {
        java.util.Properties file = new java.util.Properties();
        file.setProperty("tributary.dvr.root", "/srv/dvr");
        file.setProperty("tributary.dvr.disk.limit", "20G");
        file.setProperty("tributary.dvr.min.free", "512M");
        var settings = io.tributary.agent.AgentConfig.settings(java.util.Map.of("TRIBUTARY_DVR_MIN_FREE", "1k"), file);
        var agent = io.tributary.agent.AgentConfig.load(settings, new java.util.Properties());
        assertThat(agent.dvrRoot()).isEqualTo(Path.of("/srv/dvr"));
        DvrConfig c = DvrConfig.load(settings, agent.dvrRoot());
        assertThat(c.root()).isEqualTo(Path.of("/srv/dvr"));
        assertThat(c.diskLimit()).isEqualTo(20L << 30);
        assertThat(c.minFree()).as("the environment wins").isEqualTo(1024);
        assertThat(DvrConfig.load(java.util.Map.of(), Path.of("/d")).diskLimit()).as("no limit by default").isZero();
        for (String bad : List.of("lots", "G", "-5", "1.5G")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                    DvrConfig.load(java.util.Map.of("TRIBUTARY_DVR_DISK_LIMIT", bad), Path.of("/d")))
                    .as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TRIBUTARY_DVR_DISK_LIMIT");
        }
    }

    @Test
    void indexAndSettingsSurviveARestart() throws Exception {
        Path root = tmp.resolve("dvr");
        DvrStore first = new DvrStore(DvrConfig.load(java.util.Map.of("TRIBUTARY_DVR_MIN_FREE", "0"), root), "a",
                Clock.systemUTC());
        record(first.recorder(stream("a/b", new Dvr(3600L, 1_000_000L, null))), 3, 500);
        // a gap of 10 s, then one more segment
        Path f = tmp.resolve("hls/seg-x.ts");
        Files.write(f, new byte[500]);
        first.recorder(stream("a/b", new Dvr(3600L, 1_000_000L, null))).segmentFinished(
                new HlsOutput.FinishedSegment(f, Instant.ofEpochMilli(T0 + 16_000), 2000, 3, true, 500));

        DvrStore again = new DvrStore(DvrConfig.defaults(root), "a", Clock.systemUTC());
        again.rebuild();
        StreamArchive a = again.archive("a/b");
        assertThat(a.all()).hasSize(4);
        assertThat(a.bytes()).isEqualTo(2000);
        assertThat(a.expiration()).isEqualTo(3600L);
        assertThat(a.storageLimit()).isEqualTo(1_000_000L);
        assertThat(a.ranges()).containsExactly(List.of(T0 / 1000, T0 / 1000 + 6), List.of(T0 / 1000 + 16, T0 / 1000 + 18));
        var st = a.status();
        assertThat(st.from()).isEqualTo(T0 / 1000);
        assertThat(st.depth()).isEqualTo(18);
        assertThat(a.between(T0 + 3_000, T0 + 5_000)).extracting(ArchiveSegment::startMs)
                .containsExactly(T0 + 2_000, T0 + 4_000);
    }

    @Test
    void playlistHasDurationsProgramDatesAndDiscontinuitiesAtGapsAndServerChanges() {
        List<ArchivePlaylist.Entry> stitched = ArchivePlaylist.stitch(List.of(
                new ArchivePlaylist.Entry(T0 + 2_000, 2_000, false, "a"),
                new ArchivePlaylist.Entry(T0, 2_000, true, "a"),
                new ArchivePlaylist.Entry(T0 + 4_010, 2_480, false, "a"),
                // b recorded an overlapping moment too: dropped
                new ArchivePlaylist.Entry(T0 + 5_000, 2_000, false, "b"),
                // a gap of 3 s: failover to b
                new ArchivePlaylist.Entry(T0 + 9_500, 2_000, true, "b"),
                new ArchivePlaylist.Entry(T0 + 11_500, 2_000, false, "b")));
        assertThat(stitched).extracting(ArchivePlaylist.Entry::startMs)
                .containsExactly(T0, T0 + 2_000, T0 + 4_010, T0 + 9_500, T0 + 11_500);
        assertThat(stitched).extracting(ArchivePlaylist.Entry::discontinuity)
                .containsExactly(false, false, false, true, false);
        String vod = ArchivePlaylist.render(stitched, true);
        assertThat(vod).startsWith("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-TARGETDURATION:3\n")
                .contains("#EXT-X-PROGRAM-DATE-TIME:2025-11-24T16:00:00.000Z\n#EXTINF:2.000,\ndvr-" + T0 + "-2000.ts\n")
                .contains("#EXT-X-PROGRAM-DATE-TIME:2025-11-24T16:00:04.010Z\n#EXTINF:2.480,\n")
                .contains("#EXT-X-DISCONTINUITY\n#EXT-X-PROGRAM-DATE-TIME:2025-11-24T16:00:09.500Z\n")
                .endsWith("#EXT-X-ENDLIST\n");
        assertThat(vod.split("#EXT-X-DISCONTINUITY\n", -1)).hasSize(2);
        assertThat(ArchivePlaylist.render(stitched, false)).contains("#EXT-X-PLAYLIST-TYPE:EVENT")
                .doesNotContain("ENDLIST");
        // a server change without a gap is a discontinuity too
        assertThat(ArchivePlaylist.stitch(List.of(new ArchivePlaylist.Entry(T0, 2_000, false, "a"),
                new ArchivePlaylist.Entry(T0 + 2_000, 2_000, false, "b")))).extracting(ArchivePlaylist.Entry::discontinuity)
                .containsExactly(false, true);
    }

    @Test
    void badUrlsGetA4xxWithAReason() {
        DvrConfig cfg = DvrConfig.load(java.util.Map.of("TRIBUTARY_DVR_MAX_DURATION", "600",
                "TRIBUTARY_DVR_MAX_EXPORT", "60"), tmp);
        long now = T0;
        long nowS = now / 1000;
        assertThat(ArchiveRequest.parse("archive-" + (nowS + 60) + "-10.m3u8", now, cfg).error()).contains("in the future");
        assertThat(ArchiveRequest.parse("archive-" + (nowS - 700) + "-601.m3u8", now, cfg).error())
                .contains("duration 601 s is over the maximum of 600 s");
        assertThat(ArchiveRequest.parse("archive-" + (nowS - 100) + "-61.mp4", now, cfg).error())
                .contains("over the maximum of 60 s for an MP4 export");
        assertThat(ArchiveRequest.parse("archive-abc-10.m3u8", now, cfg).error()).contains("malformed archive URL");
        assertThat(ArchiveRequest.parse("archive-" + nowS + "-0.m3u8", now, cfg).error()).contains("at least 1 second");
        assertThat(ArchiveRequest.parse("archive-" + nowS + "-now.mp4", now, cfg).error()).contains("needs a duration");
        assertThat(ArchiveRequest.parse("" + (nowS + 3600) + ".jpg", now, cfg).error()).contains("in the future");
        for (String f : List.of("archive-1-1.m3u8x", "archive--5-10.m3u8", "dvr-1-x.ts")) {
            ArchiveRequest r = ArchiveRequest.parse(f, now, cfg);
            assertThat(r.kind()).as(f).isEqualTo(ArchiveRequest.Kind.INVALID);
            assertThat(r.errorStatus()).isEqualTo(400);
        }
        ArchiveRequest ok = ArchiveRequest.parse("archive-" + (nowS - 30) + "-20.mp4", now, cfg);
        assertThat(ok.kind()).isEqualTo(ArchiveRequest.Kind.MP4);
        assertThat(ok.toMs()).isEqualTo(now - 10_000);
        assertThat(ArchiveRequest.parse("archive-" + (nowS - 30) + "-now.m3u8", now, cfg).now()).isTrue();
        assertThat(ArchiveRequest.isDvr("index.m3u8")).isFalse();
        assertThat(ArchiveRequest.isDvr("seg-1.ts")).isFalse();
        assertThat(io.tributary.api.agent.DvrStatus.mergeRanges(List.of(List.of(10L, 20L), List.of(21L, 30L), List.of(40L, 50L), List.of(5L, 12L))))
                .containsExactly(List.of(5L, 30L), List.of(40L, 50L));
    }

    /** A clock the test moves. */
    static final class MutableClock extends Clock {
        volatile long now;

        MutableClock(long now) {
            this.now = now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now);
        }
    }
}
