package io.tributary.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The error body of every 4xx/5xx answer of the API: a stable code, a message that names what
 * is wrong, and the JSON path of the offending field when there is one. A config that breaks
 * several rules also lists every one of them in {@code errors} ({@code message} and
 * {@code field} are the first), so an operator fixes them in one round.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiError(String error, String message, String field, List<Violation> errors) {
    public ApiError(String error, String message, String field) {
        this(error, message, field, null);
    }

    public static ApiError of(String error, String message) {
        return new ApiError(error, message, null);
    }
}
