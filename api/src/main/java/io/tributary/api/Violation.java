package io.tributary.api;

/** One validation failure: the JSON path of the field and what is wrong with it. */
public record Violation(String field, String message) {
}
