package io.tributary.controlplane.common;

import io.tributary.api.ApiError;
import jakarta.ws.rs.core.Response;

/** An error the API answers with a JSON {@link ApiError} body and a status code. */
public class ApiException extends RuntimeException {
    private final int status;
    private final String code;
    private final String field;

    public ApiException(int status, String code, String message, String field) {
        super(message);
        this.status = status;
        this.code = code;
        this.field = field;
    }

    public static ApiException invalid(String field, String message) {
        return new ApiException(400, "invalid", message, field);
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
        return new ApiError(code, getMessage(), field);
    }

    public Response toResponse() {
        return Response.status(status).entity(body()).type("application/json").build();
    }
}
