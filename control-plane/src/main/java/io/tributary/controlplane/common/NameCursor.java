package io.tributary.controlplane.common;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Opaque keyset cursors over names: the cursor holds the last name of a page, so pages stay stable
 * while items are added or removed. The prefix keeps one listing's cursors out of another's.
 */
public final class NameCursor {
    private final String prefix;
    private final String owner;

    /** {@code owner} names the API in the error message ("this API", "this backend"). */
    public NameCursor(String prefix, String owner) {
        this.prefix = prefix + ":";
        this.owner = owner;
    }

    public String encode(String name) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((prefix + name).getBytes(StandardCharsets.UTF_8));
    }

    /** The name after which the page starts, null for the first page; 400 for a cursor we did not give out. */
    public String decode(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return null;
        }
        try {
            String s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (s.startsWith(prefix)) {
                return s.substring(prefix.length());
            }
        } catch (IllegalArgumentException ignored) {
            // not base64: falls through to the error below
        }
        throw ApiException.invalid("cursor", "cursor '" + cursor + "' is not one " + owner + " gave out");
    }
}
