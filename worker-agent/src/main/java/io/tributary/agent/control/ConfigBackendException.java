package io.tributary.agent.control;

/** A config backend answer the agent could not use, with the reason it reports. */
public final class ConfigBackendException extends Exception {
    public static final String NETWORK_ERROR = "network_error";
    public static final String MALFORMED_JSON = "malformed_json";
    public static final String VALIDATION_ERROR = "validation_error";

    private final String reason;

    public ConfigBackendException(String reason, String detail) {
        super(detail);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
