package io.tributary.cli;

/** A mistake in how the CLI was called (arguments, config, input file): exit code 2. */
public class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }
}
