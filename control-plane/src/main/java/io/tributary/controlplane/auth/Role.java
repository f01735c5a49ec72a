package io.tributary.controlplane.auth;

/** What a caller may do: viewers read, admins read and write, agents report and read their config. */
public enum Role {
    VIEWER, ADMIN, AGENT;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Role parse(String s) {
        return switch (s) {
            case "admin" -> ADMIN;
            case "viewer" -> VIEWER;
            default -> throw new IllegalArgumentException("role must be admin or viewer, got '" + s + "'");
        };
    }
}
