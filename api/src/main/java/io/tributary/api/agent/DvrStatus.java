package io.tributary.api.agent;

import com.fasterxml.jackson.annotation.JsonInclude;
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
}
