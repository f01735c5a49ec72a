package io.tributary.api.stream;

import java.util.List;

/** The tracks a running stream carries. */
public record MediaInfo(List<Track> tracks) {
}
