package io.tributary.api.agent;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;

/**
 * What one server holds of one stream's DVR archive: the first recorded second ({@code from},
 * UNIX seconds), {@code depth} (seconds from {@code from} to the newest recording), the recorded
 * {@code ranges} as {@code [from, to]} pairs in UNIX seconds, the bytes on disk, and {@code error}
 * while recording fails (e.g. {@code dvr_disk_full: ...}). Also the body of
 * {@code /{name}/recording_status.json}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DvrStatus(
        String name,
        Long from,
        Long depth,
        List<List<Long>> ranges,
        Long bytes,
        String error) {

    /** Union of {@code [from, to]} ranges (seconds); overlapping ones and ones 1 s apart join. */
    public static List<List<Long>> mergeRanges(List<List<Long>> ranges) {
        List<List<Long>> sorted = new ArrayList<>(ranges);
        sorted.sort((x, y) -> Long.compare(x.get(0), y.get(0)));
        List<List<Long>> out = new ArrayList<>();
        for (List<Long> r : sorted) {
            if (!out.isEmpty() && r.get(0) <= out.get(out.size() - 1).get(1) + 1) {
                List<Long> last = out.remove(out.size() - 1);
                out.add(List.of(last.get(0), Math.max(last.get(1), r.get(1))));
            } else {
                out.add(List.of(r.get(0), r.get(1)));
            }
        }
        return out;
    }
}
