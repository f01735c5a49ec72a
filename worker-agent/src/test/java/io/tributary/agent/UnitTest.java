package io.tributary.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import io.tributary.agent.control.StreamDiff;
import io.tributary.agent.hls.MediaPlaylist;
import io.tributary.agent.hls.Segmenter;
import io.tributary.agent.ingest.InputPlan;
import io.tributary.api.stream.AssignmentInfo;
import io.tributary.api.stream.InputConfig;
import io.tributary.api.stream.StreamConfig;

/** Pure logic: playlist window, segment cuts, input order, config diff, settings. */
class UnitTest {
    @Test
    void playlistSlidesAndCountsDiscontinuities() {
        MediaPlaylist p = new MediaPlaylist(3, 2000, 10, 2);
        p.add("seg-10.ts", 2.0, Instant.EPOCH);
        p.add("seg-11.ts", 2.0, null);
        p.markDiscontinuity();
        p.add("seg-12.ts", 4.4, null);
        assertThat(p.totalDiscontinuities()).isEqualTo(4); // header 2 + continuation + switch
        String r = p.render();
        assertThat(r).contains("#EXT-X-MEDIA-SEQUENCE:10\n#EXT-X-DISCONTINUITY-SEQUENCE:2\n#EXT-X-DISCONTINUITY\n")
                .contains("#EXT-X-TARGETDURATION:5").contains("#EXTINF:4.400,\nseg-12.ts");
        p.add("seg-13.ts", 2.0, null);
        assertThat(p.render()).contains("#EXT-X-MEDIA-SEQUENCE:11\n#EXT-X-DISCONTINUITY-SEQUENCE:3\n");
        p.restart(5, 0, 2000, false);
        assertThat(p.nextSequence()).isEqualTo(14);
        p.add("seg-14.ts", 2.0, null);
        assertThat(p.render()).endsWith("#EXT-X-DISCONTINUITY\n#EXTINF:2.000,\nseg-14.ts\n");
        assertThat(p.totalDiscontinuities()).isEqualTo(5);
    }

    @Test
    void freshPlaylistFromZeroHasNoDiscontinuity() {
        MediaPlaylist p = new MediaPlaylist(6, 2000, 0, 0);
        p.markDiscontinuity();
        p.add("seg-0.ts", 2.0, null);
        assertThat(p.render()).doesNotContain("#EXT-X-DISCONTINUITY\n").contains("#EXT-X-TARGETDURATION:2");
    }

    @Test
    void segmenterCutsOnKeyframesAfterTheTarget() {
        Segmenter s = new Segmenter(2000);
        assertThat(s.onPacket(0, 40, false)).isEqualTo(Segmenter.Action.SKIP);
        assertThat(s.onPacket(40, 40, true)).isEqualTo(Segmenter.Action.START);
        assertThat(s.onPacket(1040, 40, true)).isEqualTo(Segmenter.Action.CONTINUE);
        assertThat(s.onPacket(2080, 40, false)).isEqualTo(Segmenter.Action.CONTINUE);
        assertThat(s.onPacket(3040, 40, true)).isEqualTo(Segmenter.Action.CUT);
        assertThat(s.cut(3040, 40)).isEqualTo(3000);
        assertThat(s.onPacket(100, 40, true)).isEqualTo(Segmenter.Action.CUT); // timestamps went back
        assertThat(s.cut(100, 40)).isEqualTo(40);
    }

    @Test
    void firstSegmentEndsAtTheFirstKeyframeAfterItsShorterMinimumThenFullSegments() {
        // A 1 s GOP: keyframes at 0, 1000, 2000, ... ms.
        Segmenter s = Segmenter.shortFirst(2000);
        assertThat(s.onPacket(0, 40, true)).isEqualTo(Segmenter.Action.START);
        assertThat(s.onPacket(960, 40, false)).isEqualTo(Segmenter.Action.CONTINUE);
        assertThat(s.onPacket(1000, 40, true)).isEqualTo(Segmenter.Action.CUT);
        assertThat(s.cut(1000, 40)).isEqualTo(1000); // EXTINF says 1 s: the honest length
        assertThat(s.onPacket(2000, 40, true)).isEqualTo(Segmenter.Action.CONTINUE);
        assertThat(s.onPacket(3000, 40, true)).isEqualTo(Segmenter.Action.CUT);
        assertThat(s.cut(3000, 40)).isEqualTo(2000);
        // A 2 s GOP: the first segment can only end at the next keyframe, 2 s.
        Segmenter g2 = Segmenter.shortFirst(2000);
        g2.onPacket(0, 40, true);
        assertThat(g2.onPacket(1000, 40, false)).isEqualTo(Segmenter.Action.CONTINUE);
        assertThat(g2.onPacket(2000, 40, true)).isEqualTo(Segmenter.Action.CUT);
        // Never longer than the target: a 500 ms target keeps 500 ms first segments.
        Segmenter small = Segmenter.shortFirst(500);
        small.onPacket(0, 40, true);
        assertThat(small.onPacket(520, 40, true)).isEqualTo(Segmenter.Action.CUT);
    }

    @Test
    void inputsByPriorityAndRounds() {
        List<InputConfig> sorted = InputPlan.byPriority(List.of(new InputConfig("a"), new InputConfig("b", 2, null),
                new InputConfig("c", 1, null), new InputConfig("d")));
        assertThat(sorted).extracting(InputConfig::url).containsExactly("c", "b", "a", "d");
        InputPlan p = new InputPlan(2);
        assertThat(p.failed(0)).isFalse();
        assertThat(p.active()).isEqualTo(1);
        assertThat(p.hasBetter()).isTrue();
        assertThat(p.failed(1)).isTrue();
        assertThat(p.active()).isZero();
        p.succeeded(1);
        assertThat(p.failed(1)).isFalse();
    }

    static StreamConfig cfg(String name, long gen, String url) {
        return new StreamConfig(name, null, List.of(new InputConfig(url)), true, null, null, null, null, null, null,
                null, null, null, new AssignmentInfo(gen, 7L, 0L, null));
    }

    @Test
    void diffFindsAddedRemovedAndChanged() {
        Map<String, StreamDiff.Running> running = Map.of(
                "same", new StreamDiff.Running(cfg("same", 1, "fake://a"), 1),
                "gen", new StreamDiff.Running(cfg("gen", 1, "fake://a"), 1),
                "url", new StreamDiff.Running(cfg("url", 1, "fake://a"), 1),
                "gone", new StreamDiff.Running(cfg("gone", 1, "fake://a"), 1));
        StreamConfig disabled = new StreamConfig("off", null, List.of(new InputConfig("fake://a")), true, null, true,
                null, null, null, null, null, null, null, null);
        StreamDiff d = StreamDiff.compute(running, List.of(cfg("same", 1, "fake://a").withStatus(null,
                new AssignmentInfo(1L, 99L, 0L, null)), cfg("gen", 2, "fake://a"), cfg("url", 1, "fake://b"),
                cfg("new", 1, "fake://a"), disabled));
        assertThat(d.added()).extracting(StreamConfig::name).containsExactly("new");
        assertThat(d.removed()).containsExactly("gone");
        assertThat(d.changed()).extracting(StreamConfig::name).containsExactlyInAnyOrder("gen", "url");
    }

    @Test
    void segmentCountTitleAndLabelsApplyInPlace() {
        StreamConfig old = cfg("s", 1, "fake://a");
        StreamConfig window = new StreamConfig("s", "new title", old.inputs(), true, null, null, null, null, null, null,
                3, Map.of("k", "v"), null, old.assignment());
        StreamDiff d = StreamDiff.compute(Map.of("s", new StreamDiff.Running(old, 1)), List.of(window));
        assertThat(d.reconfigured()).extracting(StreamConfig::name).containsExactly("s");
        assertThat(d.changed()).isEmpty();
        StreamConfig duration = new StreamConfig("s", null, old.inputs(), true, null, null, null, null, null, 4000,
                3, null, null, old.assignment());
        d = StreamDiff.compute(Map.of("s", new StreamDiff.Running(old, 1)), List.of(duration));
        assertThat(d.changed()).extracting(StreamConfig::name).containsExactly("s");
        assertThat(d.reconfigured()).isEmpty();
    }

    @Test
    void playlistWindowShrinksAndGrows() {
        MediaPlaylist p = new MediaPlaylist(4, 2000, 10, 0);
        for (int i = 10; i < 14; i++) {
            p.add("seg-" + i + ".ts", 2.0, null);
        }
        assertThat(p.resize(4)).isFalse();
        assertThat(p.resize(2)).isTrue();
        assertThat(p.segments()).extracting(MediaPlaylist.Segment::sequence).containsExactly(12L, 13L);
        // seg-10 carried the continuation's discontinuity: it left the window, the header counts it.
        assertThat(p.render()).contains("#EXT-X-MEDIA-SEQUENCE:12\n#EXT-X-DISCONTINUITY-SEQUENCE:1\n");
        assertThat(p.resize(3)).isTrue();
        p.add("seg-14.ts", 2.0, null);
        assertThat(p.segments()).hasSize(3);
    }

    @Test
    void configFromEnvBeatsFileAndHasDefaults() {
        Properties file = new Properties();
        file.setProperty("tributary.http.port", "9100");
        file.setProperty("tributary.group", "eu");
        AgentConfig c = AgentConfig.load(Map.of("TRIBUTARY_HOSTNAME", "w1", "TRIBUTARY_GROUP", "us"), file);
        assertThat(c.httpPort()).isEqualTo(9100);
        assertThat(c.group()).isEqualTo("us");
        assertThat(c.publicUrl()).isEqualTo("http://w1:9100");
        assertThat(c.privateUrl()).isEqualTo(c.publicUrl());
        assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/tributary"));
        assertThat(c.dvrRoot()).isEqualTo(Path.of("/var/lib/tributary/dvr"));
        assertThat(c.fileRoot()).isNull();
        assertThat(c.roles()).containsExactly("ingest", "edge");
        assertThat(c.channelLimit()).isEqualTo(100);
        assertThat(c.streamsUrl()).isEqualTo("http://127.0.0.1:8080/config-external/streams");
        AgentConfig ext = AgentConfig.load(Map.of("TRIBUTARY_CONFIG_EXTERNAL", "http://cfg/api/"), new Properties());
        assertThat(ext.streamsUrl()).isEqualTo("http://cfg/api/streams");
    }
}
