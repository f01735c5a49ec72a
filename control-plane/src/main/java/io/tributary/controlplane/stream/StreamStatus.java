package io.tributary.controlplane.stream;

import io.tributary.api.agent.StreamReport;
import io.tributary.api.stream.StreamStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Derives a stream's read-only status from its desired state (assignment) and what agents
 * reported. Pure: no I/O.
 */
public final class StreamStatus {
    private StreamStatus() {
    }

    /** One agent's report of the stream, with whether that agent is up. */
    public record Observed(String hostname, StreamReport report, boolean hostUp) {
    }

    public static StreamStats derive(boolean disabled, boolean isStatic, String assignedTo, Long generation,
            String waitingReason, List<Observed> observed) {
        List<String> runningOn = new ArrayList<>();
        StreamReport owner = null;
        int clients = 0;
        for (Observed o : observed) {
            if (!o.hostUp()) {
                continue;
            }
            StreamReport r = o.report();
            if ("running".equals(r.status())) {
                runningOn.add(o.hostname());
            }
            if (r.onlineClients() != null) {
                clients += r.onlineClients();
            }
            if (o.hostname().equals(assignedTo) && generation != null && generation.equals(r.generation())) {
                owner = r;
            }
        }
        runningOn.sort(null);
        String status;
        String lastError = null;
        if (disabled) {
            status = "stopped";
        } else if (assignedTo == null) {
            status = isStatic ? "waiting" : (runningOn.isEmpty() ? "stopped" : "running");
        } else if (owner == null) {
            status = "starting";
        } else {
            status = Set.of("running", "starting", "waiting", "error").contains(owner.status()) ? owner.status() : "error";
            lastError = owner.lastError();
        }
        return new StreamStats(status, "running".equals(status), runningOn, assignedTo, generation,
                owner == null ? null : owner.bitrateIn(),
                owner == null ? null : owner.lifetime(),
                clients,
                owner == null ? null : owner.mediaInfo(),
                lastError,
                "waiting".equals(status) ? waitingReason : null);
    }
}
