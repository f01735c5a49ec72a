package io.tributary.agent.control;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import io.tributary.api.agent.AgentReportResponse;

/**
 * The fencing rule of an agent cut off from the control plane (docs/architecture.md, "Fencing"):
 * once no report completed for longer than the lease, ask the peers; if at least one of them
 * reaches the control plane, the control plane has surely given our streams to someone else, so
 * stop every capture until a report completes again. If nobody reaches it, keep running. Pure
 * state and logic: time comes from the injected clock, peer answers are passed in.
 */
public final class LeaseFence {
    /** A peer's answer to {@code GET /cluster/reach}; {@code answered} is false when it did not answer. */
    public record PeerReach(String hostname, boolean answered, boolean controlPlaneReachable,
            Long lastReportOkMsAgo) {

        public static PeerReach silent(String hostname) {
            return new PeerReach(hostname, false, false, null);
        }
    }

    private final Clock clock;
    private Instant lastReportOk;
    private long leaseMs;
    private List<AgentReportResponse.Peer> peers = List.of();
    private boolean fenced;
    private String fencedBecause;

    public LeaseFence(Clock clock) {
        this.clock = clock;
    }

    /** A report completed: remembers the lease and the peers; returns true when this lifts a fence. */
    public synchronized boolean reportSucceeded(Long lease, List<AgentReportResponse.Peer> newPeers) {
        lastReportOk = clock.instant();
        if (lease != null && lease > 0) {
            leaseMs = lease;
        }
        if (newPeers != null) {
            peers = List.copyOf(newPeers);
        }
        boolean was = fenced;
        fenced = false;
        fencedBecause = null;
        return was;
    }

    /** Milliseconds since the last completed report, or null before the first one. */
    public synchronized Long lastReportOkMsAgo() {
        return lastReportOk == null ? null : Math.max(0, clock.millis() - lastReportOk.toEpochMilli());
    }

    /** Whether the lease ran out and the peers must be asked (not when fenced already, or nothing to ask). */
    public synchronized boolean shouldAskPeers() {
        Long age = lastReportOkMsAgo();
        return !fenced && age != null && leaseMs > 0 && age > leaseMs && !peers.isEmpty();
    }

    public synchronized List<AgentReportResponse.Peer> peers() {
        return peers;
    }

    /** Applies the peers' answers: returns true when the agent must stop its captures now. */
    public synchronized boolean decide(List<PeerReach> answers) {
        Long age = lastReportOkMsAgo();
        if (fenced || age == null || leaseMs <= 0 || age <= leaseMs) {
            return false;
        }
        PeerReach witness = witness(answers, age);
        if (witness == null) {
            return false;
        }
        fenced = true;
        fencedBecause = witness.hostname() + " reached the control plane " + witness.lastReportOkMsAgo()
                + " ms ago; our last report completed " + age + " ms ago (lease " + leaseMs + " ms)";
        return true;
    }

    /**
     * The first peer that reaches the control plane, or null. It counts only when its last report
     * completed after ours did, so a peer that is merely slower to notice an outage of the
     * control plane for everyone does not fence us.
     */
    static PeerReach witness(List<PeerReach> answers, long ownAgeMs) {
        for (PeerReach p : answers) {
            if (p.answered() && p.controlPlaneReachable() && p.lastReportOkMsAgo() != null
                    && p.lastReportOkMsAgo() < ownAgeMs) {
                return p;
            }
        }
        return null;
    }

    public synchronized boolean fenced() {
        return fenced;
    }

    public synchronized String fencedBecause() {
        return fencedBecause;
    }

    public synchronized long leaseMs() {
        return leaseMs;
    }
}
