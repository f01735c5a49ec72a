package io.tributary.agent.dvr;

import java.util.ArrayList;
import java.util.List;

/** Which recorded segments go: those older than the expiration, then the oldest beyond the storage limit. Pure logic. */
public final class Retention {
    private Retention() {
    }

    /**
     * @param oldestFirst  the archive's segments, oldest first
     * @param nowMs        the current time (UNIX ms)
     * @param expirationS  seconds kept, or null (no age limit)
     * @param storageLimit bytes kept, or null / 0 (no size limit)
     * @return the segments to delete, oldest first
     */
    public static List<ArchiveSegment> toDelete(List<ArchiveSegment> oldestFirst, long nowMs, Long expirationS,
            Long storageLimit) {
        List<ArchiveSegment> out = new ArrayList<>();
        long total = 0;
        for (ArchiveSegment s : oldestFirst) {
            total += s.bytes();
        }
        for (ArchiveSegment s : oldestFirst) {
            boolean expired = expirationS != null && s.endMs() <= nowMs - expirationS * 1000;
            boolean tooBig = storageLimit != null && storageLimit > 0 && total > storageLimit;
            if (!expired && !tooBig) {
                break;
            }
            out.add(s);
            total -= s.bytes();
        }
        return out;
    }
}
