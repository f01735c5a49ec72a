package io.tributary.cli;

/** The control plane could not be reached or did not answer in time: exit code 1. */
public class UnreachableException extends RuntimeException {
    public UnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
