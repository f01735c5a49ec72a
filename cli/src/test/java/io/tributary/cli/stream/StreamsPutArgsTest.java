package io.tributary.cli.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.tributary.api.stream.ClusterIngest;
import io.tributary.api.stream.Dvr;
import io.tributary.api.stream.InputConfig;
import io.tributary.api.stream.StreamConfig;
import io.tributary.api.stream.StreamStats;
import io.tributary.cli.CliEnvironment;
import io.tributary.cli.CliRun;
import io.tributary.cli.UsageException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamsPutArgsTest {
    @TempDir
    Path home;

    private StreamsPutCommand parse(String... args) {
        CliEnvironment env = CliRun.env(Map.of(), home, Clock.systemUTC());
        return CliRun.parse(env, args).getCommand();
    }

    @Test
    void flagsBuildAWholeConfig() {
        StreamsPutCommand c = parse("streams", "put", "news/hd", "--input", "udp://239.0.0.1:1234", "-i", "fake://backup",
                "--title", "News HD", "--no-static", "--disabled", "--capture-at", "worker-2", "--segment-duration", "4000",
                "--segment-count", "8", "--clients-timeout", "60", "--dvr-expiration", "3600", "--label", "team=news",
                "--label", "tier=gold", "--if-match", "7");
        StreamConfig s = c.apply(null);
        assertThat(s.name()).isEqualTo("news/hd");
        assertThat(s.inputs()).extracting(InputConfig::url).containsExactly("udp://239.0.0.1:1234", "fake://backup");
        assertThat(s.title()).isEqualTo("News HD");
        assertThat(s.isStatic()).isFalse();
        assertThat(s.disabled()).isTrue();
        assertThat(s.clusterIngest()).isEqualTo(new ClusterIngest("worker-2"));
        assertThat(s.segmentDuration()).isEqualTo(4000);
        assertThat(s.segmentCount()).isEqualTo(8);
        assertThat(s.clientsTimeout()).isEqualTo(60);
        assertThat(s.dvr()).isEqualTo(new Dvr(3600L, null, null));
        assertThat(s.labels()).containsExactly(entry("team", "news"), entry("tier", "gold"));
        assertThat(c.ifMatch).isEqualTo("7");
    }

    @Test
    void flagsNotGivenLeaveTheFieldOutSoTheApiDefaultsApply() {
        StreamConfig s = parse("streams", "put", "demo", "--input", "fake://demo").apply(null);
        assertThat(s).isEqualTo(new StreamConfig("demo", null, List.of(new InputConfig("fake://demo")), null, null, null,
                null, null, null, null, null, null, null, null));
    }

    @Test
    void flagsWinOverTheFileAndTheNameOfTheCommandLineWins() {
        StreamConfig file = StreamsPutCommand.parse("""
                name: other
                title: From file
                static: true
                inputs:
                  - url: rtsp://cam/1
                    priority: 1
                dvr: {expiration: 60, storage_limit: 1000}
                labels: {a: "1"}
                stats: {status: running}
                """, "stream.yaml");
        StreamConfig s = parse("streams", "put", "demo", "--static", "--title", "From flag", "--dvr-expiration", "120",
                "--label", "b=2").apply(file);
        assertThat(s.name()).isEqualTo("demo");
        assertThat(s.title()).isEqualTo("From flag");
        assertThat(s.inputs()).containsExactly(new InputConfig("rtsp://cam/1", 1, null));
        assertThat(s.dvr()).isEqualTo(new Dvr(120L, 1000L, null));
        assertThat(s.labels()).containsExactlyInAnyOrderEntriesOf(Map.of("a", "1", "b", "2"));
        assertThat(s.stats()).as("read-only stats are not sent").isNull();
    }

    @Test
    void jsonFilesReadToo() {
        StreamConfig s = StreamsPutCommand.parse("{\"inputs\": [{\"url\": \"fake://x\"}], \"static\": false, "
                + "\"stats\": {\"status\": \"running\", \"running_on\": [\"w1\"]}}", "s.json");
        assertThat(s.inputs()).containsExactly(new InputConfig("fake://x"));
        assertThat(s.isStatic()).isFalse();
        assertThat(s.stats()).isEqualTo(new StreamStats("running", null, List.of("w1"), null, null, null, null, null,
                null, null, null));
    }

    @Test
    void aTypoInTheFileIsRefusedNamingTheFieldAndTheFile() {
        assertThatThrownBy(() -> StreamsPutCommand.parse("inputs: [{url: fake://x}]\nsegment_duraton: 4000\n", "s.yaml"))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("s.yaml: ")
                .hasMessageContaining("segment_duraton")
                .hasMessageContaining("(field: segment_duraton)");
        assertThatThrownBy(() -> StreamsPutCommand.parse("inputs: [{url: fake://x, prio: 1}]", "s.yaml"))
                .hasMessageContaining("(field: inputs[0].prio)");
        assertThatThrownBy(() -> StreamsPutCommand.parse("segment_count: many", "s.yaml"))
                .isInstanceOf(UsageException.class).hasMessageContaining("segment_count");
        assertThatThrownBy(() -> StreamsPutCommand.parse("  ", "s.yaml")).hasMessage("s.yaml is empty");
    }
}
