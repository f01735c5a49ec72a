package io.tributary.cli;

import io.tributary.api.ApiError;

/** The API answered with an error status and its JSON error body: exit code 1. */
public class ApiFailure extends RuntimeException {
    private final int status;
    private final ApiError error;

    public ApiFailure(int status, ApiError error) {
        super(describe(error));
        this.status = status;
        this.error = error;
    }

    public int status() {
        return status;
    }

    public ApiError error() {
        return error;
    }

    /** {@code <message> (field: <field>)}, the field part only when the API named one. */
    public static String describe(ApiError e) {
        String message = e.message() == null || e.message().isBlank() ? e.error() : e.message();
        return e.field() == null || e.field().isBlank() ? message : message + " (field: " + e.field() + ")";
    }
}
