package io.tributary.api.stream;

import java.util.List;

/** One page of streams; {@code next} is the cursor of the following page or null. */
public record StreamList(List<StreamConfig> streams, String next) {
}
