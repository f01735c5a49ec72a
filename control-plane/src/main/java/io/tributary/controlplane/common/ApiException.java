package io.tributary.controlplane.common;

import io.tributary.api.ApiError;
import io.tributary.api.Violation;
import java.util.List;
import jakarta.ws.rs.core.Response;

/** An error the API answers with a JSON {@link ApiError} body and a status code. */
public class ApiException extends RuntimeException {
    private final int status;
    private final String code;
    private final String field;
    private final List<Violation> errors;

    public ApiException(int status, String code, String message, String field) {
        this(status, code, message, field, null);
    }

    private ApiException(int status, String code, String message, String field, List<Violation> errors) {
        super(message);
        this.status = status;
        this.code = code;
        this.field = field;
        this.errors = errors;
    }

    public static ApiException invalid(String field, String message) {
        return new ApiException(400, "invalid", message, field);
    }

    /** 400 naming the first violation, with all of them in {@code errors}. */
    public static ApiException invalid(List<Violation> violations) {
        Violation first = violations.get(0);
        return new ApiException(400, "invalid", first.message(), first.field(),
                violations.size() > 1 ? List.copyOf(violations) : null);
    }

    public static ApiException notFound(String what) {
        return new ApiException(404, "not_found", what, null);
    }

    public static ApiException conflict(String message) {
        return new ApiException(409, "conflict", message, null);
    }

    public int status() {
        return status;
    }

    public ApiError body() {
        return new ApiError(code, getMessage(), field, errors);
    }

    public Response toResponse() {
        return Response.status(status).entity(body()).type("application/json").build();
    }
}
