package io.tributary.controlplane.agent;

/** The ETag of the config backend's answers, derived from the config epoch. */
public final class ConfigEtag {
    private ConfigEtag() {
    }

    public static String of(long epoch) {
        return "\"e" + epoch + "\"";
    }
}
