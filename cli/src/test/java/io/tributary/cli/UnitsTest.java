package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class UnitsTest {
    private final Clock clock = Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC);

    @Test
    void bitratesReadLikePeopleSayThem() {
        assertThat(Units.bitrate(null)).isNull();
        assertThat(Units.bitrate(800L)).isEqualTo("800 bit/s");
        assertThat(Units.bitrate(128_000L)).isEqualTo("128 kbit/s");
        assertThat(Units.bitrate(2_950_000L)).isEqualTo("3.0 Mbit/s");
        assertThat(Units.bitrate(2_900_000L)).isEqualTo("2.9 Mbit/s");
        assertThat(Units.bitrate(12_345_000_000L)).isEqualTo("12.35 Gbit/s");
    }

    @Test
    void timesAreUtcToTheSecond() {
        assertThat(Units.time(Instant.parse("2026-11-23T10:00:01.987Z"))).isEqualTo("2026-11-23 10:00:01Z");
        assertThat(Units.time(null)).isNull();
    }

    @Test
    void agoCountsTheLargestWholeUnit() {
        assertThat(Units.ago(null, clock)).isEqualTo("never");
        assertThat(Units.ago(Instant.parse("2026-11-23T10:00:00Z"), clock)).isEqualTo("just now");
        assertThat(Units.ago(Instant.parse("2026-11-23T10:00:05Z"), clock)).isEqualTo("just now");
        assertThat(Units.ago(Instant.parse("2026-11-23T09:59:55Z"), clock)).isEqualTo("5s ago");
        assertThat(Units.ago(Instant.parse("2026-11-23T09:57:00Z"), clock)).isEqualTo("3m ago");
        assertThat(Units.ago(Instant.parse("2026-11-23T07:00:00Z"), clock)).isEqualTo("3h ago");
        assertThat(Units.ago(Instant.parse("2026-11-20T10:00:00Z"), clock)).isEqualTo("3d ago");
    }

    @Test
    void listsPercentagesAndTruncation() {
        assertThat(Units.list(List.of("ingest", "edge"))).isEqualTo("ingest,edge");
        assertThat(Units.list(List.of())).isNull();
        assertThat(Units.percent(12.345)).isEqualTo("12.3%");
        assertThat(Units.truncate("abcdefghij", 6)).isEqualTo("abc...");
        assertThat(Units.truncate("abc", 6)).isEqualTo("abc");
    }
}
