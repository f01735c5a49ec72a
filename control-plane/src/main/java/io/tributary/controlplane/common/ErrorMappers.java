package io.tributary.controlplane.common;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.tributary.api.ApiError;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Maps every failure to the JSON error body of DESIGN.md §4, naming the field where one is at fault. */
public class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper
    public Response api(ApiException e) {
        return e.toResponse();
    }

    @ServerExceptionMapper(priority = 1)
    public Response unknownField(UnrecognizedPropertyException e) {
        String field = path(e);
        return bad("invalid", "unknown field '" + e.getPropertyName() + "'", field);
    }

    @ServerExceptionMapper(priority = 1)
    public Response wrongType(InvalidFormatException e) {
        String field = path(e);
        return bad("invalid", "field '" + field + "' has the wrong type: expected "
                + simpleType(e.getTargetType()) + ", got '" + e.getValue() + "'", field);
    }

    @ServerExceptionMapper(priority = 2)
    public Response mismatched(MismatchedInputException e) {
        if (isSyntax(e)) {
            return bad("malformed_json", "the body is not valid JSON: " + e.getOriginalMessage(), null);
        }
        String field = path(e);
        String expected = simpleType(e.getTargetType());
        return bad("invalid", field.isEmpty()
                ? "the body must be a JSON object"
                : "field '" + field + "' has the wrong type: expected " + expected, field.isEmpty() ? null : field);
    }

    @ServerExceptionMapper(priority = 3)
    public Response mapping(JsonMappingException e) {
        if (isSyntax(e)) {
            return bad("malformed_json", "the body is not valid JSON: " + e.getOriginalMessage(), null);
        }
        String field = path(e);
        return bad("invalid", "field '" + field + "' is invalid: " + e.getOriginalMessage(), field.isEmpty() ? null : field);
    }

    @ServerExceptionMapper(priority = 3)
    public Response malformed(JsonParseException e) {
        return bad("malformed_json", "the body is not valid JSON: " + e.getOriginalMessage(), null);
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return Response.status(404).entity(ApiError.of("not_found", "no such resource")).type("application/json").build();
    }

    @ServerExceptionMapper
    public Response notAllowed(NotAllowedException e) {
        return Response.status(405).entity(ApiError.of("method_not_allowed", "method not allowed on this resource"))
                .type("application/json").build();
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (status == 400 && e.getCause() instanceof JsonParseException jp) {
            return malformed(jp);
        }
        if (status == 400 && e.getCause() instanceof JsonMappingException jm) {
            return mapping(jm);
        }
        String code = status == 415 ? "unsupported_media_type" : status == 406 ? "not_acceptable" : "http_" + status;
        return Response.status(status).entity(ApiError.of(code, e.getMessage())).type("application/json").build();
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e) {
        LOG.error("unexpected error", e);
        return Response.status(500).entity(ApiError.of("internal", "internal error: " + e.getClass().getSimpleName()))
                .type("application/json").build();
    }

    /** Truncated or broken JSON reaches us wrapped in a mapping exception. */
    private static boolean isSyntax(JsonMappingException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof JsonParseException) {
                return true;
            }
        }
        String m = e.getOriginalMessage();
        return m != null && (m.contains("end-of-input") || m.contains("Unexpected character"));
    }

    private static Response bad(String code, String message, String field) {
        return Response.status(400).entity(new ApiError(code, message, field)).type("application/json").build();
    }

    private static String simpleType(Class<?> type) {
        if (type == null) {
            return "a value";
        }
        if (Number.class.isAssignableFrom(type) || type.isPrimitive() && type != boolean.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (java.util.Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        return "an object";
    }

    /** The JSON path of the failure, in the API's notation: inputs[0].url. */
    static String path(JsonMappingException e) {
        return io.tributary.api.JsonPaths.of(e);
    }
}
