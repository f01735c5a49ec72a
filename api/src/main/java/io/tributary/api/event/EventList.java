package io.tributary.api.event;

import java.util.List;

/** A page of events, newest first; {@code next} is the id to pass as {@code before} for older ones. */
public record EventList(List<Event> events, Long next) {
}
