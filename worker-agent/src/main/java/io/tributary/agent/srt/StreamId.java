package io.tributary.agent.srt;

import java.util.Locale;

import io.tributary.api.stream.StreamValidation;

/**
 * What an SRT caller asks for, read from its {@code streamid}: {@code NAME},
 * {@code publish:NAME} or {@code publish/NAME}, or SRT's access-control syntax
 * {@code #!::r=NAME,m=publish} (keys in any order; {@code m} defaults to {@code request}). Only
 * publishing is served over SRT; playback is HTTP (HLS, MPEG-TS).
 */
public record StreamId(String name, boolean publish) {
    /** A stream id that cannot be served, with the SRT rejection code to answer. */
    public static final class Invalid extends Exception {
        private final int code;

        Invalid(int code, String message) {
            super(message);
            this.code = code;
        }

        public int code() {
            return code;
        }
    }

    public static StreamId parse(String raw) throws Invalid {
        if (raw == null || raw.isBlank()) {
            throw new Invalid(LibSrt.REJX_BAD_REQUEST, "empty streamid: set streamid=NAME (or #!::r=NAME,m=publish)");
        }
        String s = raw.trim();
        if (s.startsWith("#!::")) {
            String name = null;
            String mode = "request";
            for (String kv : s.substring(4).split(",")) {
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new Invalid(LibSrt.REJX_BAD_REQUEST, "streamid '" + raw + "': '" + kv + "' is not key=value");
                }
                String k = kv.substring(0, eq).trim();
                String v = kv.substring(eq + 1).trim();
                if (k.equals("r")) {
                    name = v;
                } else if (k.equals("m")) {
                    mode = v.toLowerCase(Locale.ROOT);
                }
            }
            if (name == null) {
                throw new Invalid(LibSrt.REJX_BAD_REQUEST, "streamid '" + raw + "' has no r=NAME");
            }
            if (!mode.equals("publish")) {
                throw new Invalid(LibSrt.REJX_BAD_MODE, "streamid '" + raw + "': mode " + mode
                        + " is not served over SRT (only m=publish; play over HTTP)");
            }
            return new StreamId(checkName(raw, name), true);
        }
        if (s.startsWith("publish:") || s.startsWith("publish/")) {
            return new StreamId(checkName(raw, s.substring("publish:".length())), true);
        }
        return new StreamId(checkName(raw, s), true);
    }

    private static String checkName(String raw, String name) throws Invalid {
        String n = name.startsWith("/") ? name.substring(1) : name;
        String why = StreamValidation.checkName(n);
        if (why != null) {
            throw new Invalid(LibSrt.REJX_BAD_REQUEST, "streamid '" + raw + "': " + why);
        }
        return n;
    }
}
