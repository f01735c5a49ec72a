package io.tributary.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The error body of every 4xx/5xx answer of the API: a stable code, a message that names what
 * is wrong, and the JSON path of the offending field when there is one.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiError(String error, String message, String field) {
    public static ApiError of(String error, String message) {
        return new ApiError(error, message, null);
    }
}
