package io.tributary.api.token;

/** Asks for a new API token with a role ({@code admin} or {@code viewer}). */
public record TokenRequest(String name, String role) {
}
