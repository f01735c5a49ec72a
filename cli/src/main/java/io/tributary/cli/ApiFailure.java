package io.tributary.cli;

import io.tributary.api.ApiError;
import io.tributary.api.Violation;

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

    /**
     * {@code <message> (field: <field>)}, the field part only when the API named one; when the API
     * listed several violations, one per line.
     */
    public static String describe(ApiError e) {
        if (e.errors() != null && e.errors().size() > 1) {
            StringBuilder b = new StringBuilder(e.errors().size() + " problems:");
            for (Violation v : e.errors()) {
                b.append("\n  ").append(one(v.message(), v.field()));
            }
            return b.toString();
        }
        String message = e.message() == null || e.message().isBlank() ? e.error() : e.message();
        return one(message, e.field());
    }

    private static String one(String message, String field) {
        return field == null || field.isBlank() ? message : message + " (field: " + field + ")";
    }
}
