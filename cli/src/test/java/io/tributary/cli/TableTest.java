package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TableTest {

    @Test
    void alignsColumnsToTheWidestCellWithTwoSpaces() {
        String s = new Table("NAME", "STATUS", "BITRATE")
                .row("demo", "running", "2.9 Mbit/s")
                .row("a-much-longer-name", "waiting", null)
                .render();
        assertThat(s).isEqualTo("""
                NAME                STATUS   BITRATE
                demo                running  2.9 Mbit/s
                a-much-longer-name  waiting  -
                """);
    }

    @Test
    void missingAndEmptyCellsShowADashAndLinesHaveNoTrailingSpace() {
        String s = new Table("A", "B", "C").row("x", "", null).row(null, "y", "").render();
        assertThat(s).isEqualTo("""
                A  B  C
                x  -  -
                -  y  -
                """);
        assertThat(s.lines()).allSatisfy(l -> assertThat(l).doesNotEndWith(" "));
    }

    @Test
    void lineBreaksInACellDoNotBreakTheRow() {
        String s = new Table("NAME", "LAST_ERROR").row("demo", "connection refused\n\tretrying").render();
        assertThat(s.lines()).containsExactly("NAME  LAST_ERROR", "demo  connection refused retrying");
    }

    @Test
    void headerOnlyWhenThereAreNoRows() {
        assertThat(new Table("ID", "NAME").render()).isEqualTo("ID  NAME\n");
    }

    @Test
    void rowsRenderedLaterLineUpWithMinimumWidths() {
        Table head = new Table("TIME", "TYPE", "MESSAGE");
        int[] w = head.widthsAtLeast(new int[] {6, 10, 0});
        String header = head.render(w, true);
        String later = new Table("TIME", "TYPE", "MESSAGE").row("t1", "failover", "moved").render(w, false);
        assertThat(header).isEqualTo("TIME    TYPE        MESSAGE\n");
        assertThat(later).isEqualTo("t1      failover    moved\n");
        assertThat(later.indexOf("failover")).isEqualTo(header.indexOf("TYPE"));
    }

    @Test
    void aRowMustHaveOneCellPerColumn() {
        assertThatThrownBy(() -> new Table("A", "B").row("only one")).isInstanceOf(IllegalArgumentException.class);
    }
}
