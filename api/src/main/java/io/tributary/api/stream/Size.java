package io.tributary.api.stream;

/** A frame size; one of the two may be -1 to keep the source's aspect ratio. */
public record Size(Integer width, Integer height) {
}
