package io.tributary.agent.ingest;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import io.tributary.api.stream.InputConfig;

/**
 * Which input a capture uses: inputs sorted by priority (lower is better, missing priority keeps
 * list order after the explicit ones), the next one on a failure, and the best one again after a
 * full round failed. Pure logic.
 */
public final class InputPlan {
    private final int size;
    private int active;
    private int failuresInRound;

    public InputPlan(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("a stream needs at least one input");
        }
        this.size = size;
    }

    /** Inputs by priority; a stable sort, so equal or missing priorities keep their list order. */
    public static List<InputConfig> byPriority(List<InputConfig> inputs) {
        List<InputConfig> sorted = new ArrayList<>(inputs);
        sorted.sort(Comparator.comparingInt(i -> i.priority() == null ? Integer.MAX_VALUE : i.priority()));
        return sorted;
    }

    public int active() {
        return active;
    }

    /** Input {@code index} failed: move on to the next one. True when every input failed in a row (back off). */
    public boolean failed(int index) {
        failuresInRound++;
        if (failuresInRound >= size) {
            failuresInRound = 0;
            active = 0;
            return true;
        }
        active = (index + 1) % size;
        return false;
    }

    /** Input {@code index} delivers media. */
    public void succeeded(int index) {
        active = index;
        failuresInRound = 0;
    }

    /** True when a better input than the active one exists (worth retrying in the background). */
    public boolean hasBetter() {
        return active > 0;
    }
}
