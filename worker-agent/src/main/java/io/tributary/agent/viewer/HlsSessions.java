package io.tributary.agent.viewer;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The HLS viewer sessions of one stream. HLS has no connection to count, so a session is known by
 * the {@code ?session=} id a player sends, else by the {@value #COOKIE} cookie the agent sets,
 * else by client IP and User-Agent; it ends after {@link #DEFAULT_TIMEOUT_MS} without a request.
 * A client first seen by IP and User-Agent is given a cookie and stays the same session when it
 * sends the cookie back. Time comes from the injected clock.
 */
public final class HlsSessions {
    public static final String COOKIE = "tributary_session";
    public static final long DEFAULT_TIMEOUT_MS = 30_000;
    /** Beyond this many sessions per stream new ones are not tracked (a flood of made-up ids must not grow memory). */
    static final int MAX_SESSIONS = 50_000;
    private static final int MAX_ID_LENGTH = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private static final class Session {
        final List<String> keys = new ArrayList<>(2);
        long lastSeenMs;
    }

    private final Clock clock;
    private final long timeoutMs;
    private final Map<String, Session> byKey = new HashMap<>();
    private final Set<Session> sessions = new HashSet<>();
    private long lastSweepMs;

    public HlsSessions(Clock clock, long timeoutMs) {
        this.clock = clock;
        this.timeoutMs = timeoutMs;
    }

    /**
     * Records one HLS request. Returns the cookie value the response should set (a client known
     * only by address and User-Agent), or null.
     */
    public synchronized String touch(String sessionId, String cookie, String ip, String userAgent) {
        long now = clock.millis();
        if (now - lastSweepMs >= 1000) {
            sweep(now);
        }
        String key;
        boolean byAddress = false;
        if (usable(sessionId)) {
            key = "q:" + sessionId;
        } else if (usable(cookie)) {
            key = "c:" + cookie;
        } else {
            key = "a:" + ip + "|" + (userAgent == null ? "" : userAgent);
            byAddress = true;
        }
        Session s = byKey.get(key);
        String setCookie = null;
        if (s == null) {
            if (sessions.size() >= MAX_SESSIONS) {
                return null;
            }
            s = new Session();
            s.keys.add(key);
            byKey.put(key, s);
            sessions.add(s);
            if (byAddress) {
                String id = HexFormat.of().formatHex(randomBytes());
                s.keys.add("c:" + id);
                byKey.put("c:" + id, s);
            }
        }
        if (byAddress) {
            setCookie = s.keys.get(1).substring(2);
        }
        s.lastSeenMs = now;
        return setCookie;
    }

    /** Sessions with a request within the timeout. */
    public synchronized int count() {
        sweep(clock.millis());
        return sessions.size();
    }

    private void sweep(long now) {
        lastSweepMs = now;
        sessions.removeIf(s -> {
            if (now - s.lastSeenMs < timeoutMs) {
                return false;
            }
            s.keys.forEach(byKey::remove);
            return true;
        });
    }

    private static boolean usable(String id) {
        return id != null && !id.isEmpty() && id.length() <= MAX_ID_LENGTH;
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[12];
        RANDOM.nextBytes(b);
        return b;
    }
}
