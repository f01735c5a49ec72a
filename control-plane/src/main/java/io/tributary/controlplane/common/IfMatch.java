package io.tributary.controlplane.common;

/** Reads the version out of an If-Match header ("3", "\"3\"" or W/"3"); the API's ETags are versions. */
public final class IfMatch {
    private IfMatch() {
    }

    /** The version asked for, or null when the header is absent or "*". */
    public static Long version(String ifMatch) {
        if (ifMatch == null || ifMatch.isBlank() || ifMatch.trim().equals("*")) {
            return null;
        }
        String s = ifMatch.trim();
        if (s.startsWith("W/")) {
            s = s.substring(2);
        }
        s = s.replace("\"", "");
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw ApiException.invalid("If-Match", "If-Match must be the ETag this API gave out, got " + ifMatch);
        }
    }
}
