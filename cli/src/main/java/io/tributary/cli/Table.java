package io.tributary.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A table for people: a header row and rows, each column as wide as its widest cell plus two
 * spaces, the last column not padded. Missing values show as "-"; line breaks and tabs in a
 * cell become spaces so a row stays on one line.
 */
public final class Table {
    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    public Table(String... headers) {
        this.headers = List.of(headers);
    }

    /** Adds a row; {@code null} and empty cells print as "-". */
    public Table row(Object... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, table has " + headers.size() + " columns");
        }
        rows.add(Arrays.stream(cells).map(Table::cell).toList());
        return this;
    }

    public int size() {
        return rows.size();
    }

    /** Column widths: the widest cell of each column, header included. */
    public int[] widths() {
        int[] w = new int[headers.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = headers.get(i).length();
        }
        for (List<String> r : rows) {
            for (int i = 0; i < w.length; i++) {
                w[i] = Math.max(w[i], r.get(i).length());
            }
        }
        return w;
    }

    /** The whole table, header first, each line ending with a newline. */
    public String render() {
        return render(widths(), true);
    }

    /** The rows only (no header) with the given widths, for output that grows line by line. */
    public String render(int[] widths, boolean withHeader) {
        StringBuilder sb = new StringBuilder();
        if (withHeader) {
            line(sb, headers, widths);
        }
        for (List<String> r : rows) {
            line(sb, r, widths);
        }
        return sb.toString();
    }

    /** Widths at least those given, grown to fit this table's cells. */
    public int[] widthsAtLeast(int[] minimum) {
        int[] w = widths();
        for (int i = 0; i < w.length && i < minimum.length; i++) {
            w[i] = Math.max(w[i], minimum[i]);
        }
        return w;
    }

    private static void line(StringBuilder sb, List<String> cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String c = cells.get(i);
            line.append(c);
            if (i < cells.size() - 1) {
                line.append(" ".repeat(Math.max(0, widths[i] - c.length()) + 2));
            }
        }
        sb.append(line.toString().stripTrailing()).append('\n');
    }

    private static String cell(Object o) {
        if (o == null) {
            return "-";
        }
        String s = o.toString().replaceAll("[\\r\\n\\t]+", " ").strip();
        return s.isEmpty() ? "-" : s;
    }
}
