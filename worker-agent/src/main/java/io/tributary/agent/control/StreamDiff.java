package io.tributary.agent.control;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.tributary.api.stream.StreamConfig;

/**
 * The difference between the streams an agent runs and the ones it should run: added, removed and
 * changed (another generation or another desired config: those are recreated). Pure logic.
 */
public record StreamDiff(List<StreamConfig> added, List<String> removed, List<StreamConfig> changed,
        List<StreamConfig> reconfigured) {

    /** A stream this agent runs, as the diff sees it. */
    public record Running(StreamConfig config, long generation) {
    }

    public static long generationOf(StreamConfig c) {
        return c.assignment() == null || c.assignment().generation() == null ? 0 : c.assignment().generation();
    }

    /** The generation reported for a stream: null when its backend sent no assignment (not ours to fence). */
    public static Long reportedGeneration(StreamConfig c) {
        return c.assignment() == null ? null : c.assignment().generation();
    }

    public static StreamDiff compute(Map<String, Running> running, List<StreamConfig> desired) {
        Map<String, StreamConfig> want = new LinkedHashMap<>();
        for (StreamConfig c : desired) {
            if (c != null && c.name() != null && !c.disabledOrDefault()) {
                want.put(c.name(), c);
            }
        }
        List<StreamConfig> added = new ArrayList<>();
        List<StreamConfig> changed = new ArrayList<>();
        List<StreamConfig> reconfigured = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        for (StreamConfig c : want.values()) {
            Running r = running.get(c.name());
            if (r == null) {
                added.add(c);
            } else if (r.generation() != generationOf(c)) {
                changed.add(c);
            } else if (!Objects.equals(r.config().desired(), c.desired())) {
                (appliesInPlace(r.config(), c) ? reconfigured : changed).add(c);
            }
        }
        for (String name : running.keySet()) {
            if (!want.containsKey(name)) {
                removed.add(name);
            }
        }
        return new StreamDiff(added, removed, changed, reconfigured);
    }

    /**
     * Whether the running capture can take the new config without a restart: only the playlist
     * window ({@code segment_count}) or fields the capture does not use (title, labels,
     * cluster_ingest) differ.
     */
    static boolean appliesInPlace(StreamConfig old, StreamConfig now) {
        return Objects.equals(capturePart(old), capturePart(now));
    }

    private static StreamConfig capturePart(StreamConfig c) {
        return new StreamConfig(c.name(), null, c.inputs(), c.isStatic(), c.clientsTimeout(), c.disabled(), null,
                c.transcoder(), c.dvr(), c.segmentDuration(), null, null, null, null);
    }

    public boolean isEmpty() {
        return added.isEmpty() && removed.isEmpty() && changed.isEmpty() && reconfigured.isEmpty();
    }
}
