package io.tributary.api.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.api.Violation;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StreamValidationTest {

    @ParameterizedTest
    @ValueSource(strings = {"cam1", "a/b/c", "live.main-1_x", "A9"})
    void acceptsNames(String name) {
        assertThat(StreamValidation.checkName(name)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a b", "a//b", "/a", "a/", "a/../b", "..", ".", "a/./b", "é", "a%2Fb", "a?b"})
    void refusesNames(String name) {
        assertThat(StreamValidation.checkName(name)).isNotNull().contains("name");
    }

    @Test
    void refusesLongNames() {
        assertThat(StreamValidation.checkName("a".repeat(128))).isNull();
        assertThat(StreamValidation.checkName("a".repeat(129))).contains("at most 128");
    }

    @ParameterizedTest
    @ValueSource(strings = {"fake://x", "udp://239.1.1.1:1234", "http://h/x.ts", "https://h/x.m3u8", "rtsp://cam/1",
        "rtmp://h/app/key", "srt://h:9000", "publish://", "file:///media/a.ts"})
    void acceptsInputSchemes(String url) {
        assertThat(StreamValidation.checkInputUrl(url)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"gopher://x", "x", "http://", "file:///media/../etc/passwd", "  "})
    void refusesInputs(String url) {
        assertThat(StreamValidation.checkInputUrl(url)).isNotNull();
    }

    @Test
    void namesEveryBadField() {
        StreamConfig c = new StreamConfig("ok", null, List.of(new InputConfig("fake://x", -1, 0)), null, -1, null,
                new ClusterIngest("bad host!"),
                new Transcoder(List.of(new VideoRung(0L, new Size(-1, -1), "warp", 0, "vp9", 500.0)),
                        new AudioTranscode("mp3", 1L)),
                new Dvr(0L, -1L, "relative"), 100, 1, null, null, null);
        List<String> fields = StreamValidation.validate(c).stream().map(Violation::field).toList();
        assertThat(fields).contains("inputs[0].priority", "inputs[0].source_timeout", "clients_timeout",
                "segment_duration", "segment_count", "cluster_ingest.capture_at", "transcoder.video[0].bitrate",
                "transcoder.video[0].size", "transcoder.video[0].preset", "transcoder.video[0].gop",
                "transcoder.video[0].codec", "transcoder.video[0].fps", "transcoder.audio.codec",
                "transcoder.audio.bitrate", "dvr.expiration", "dvr.storage_limit", "dvr.root");
    }

    @Test
    void validConfigHasNoViolations() {
        StreamConfig c = new StreamConfig("ok", "t", List.of(new InputConfig("fake://x", 1, 3)), true, 30, false,
                new ClusterIngest("worker-1"),
                new Transcoder(List.of(new VideoRung(2_000_000L, new Size(1280, -1), "veryfast", 50, "h264", 25.0)),
                        new AudioTranscode("aac", 128_000L)),
                new Dvr(3600L, 1_000_000L, "/var/dvr"), 2000, 6, null, null, null);
        assertThat(StreamValidation.validate(c)).isEmpty();
    }
}
