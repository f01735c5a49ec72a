package io.tributary.agent.ingest;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import io.tributary.agent.control.StreamDiff;
import io.tributary.agent.hls.HlsOutput;
import io.tributary.api.agent.StreamReport;
import io.tributary.api.stream.AssignmentInfo;
import io.tributary.api.stream.InputConfig;
import io.tributary.api.stream.StreamConfig;
import io.tributary.api.stream.StreamValidation;

/**
 * Runs the desired set of captures: applies a diff (start, stop, recreate), keeps each stream's
 * outputs across recreations, and reports what runs. Mutations are serialized; readers (HTTP,
 * reports) see a consistent map.
 */
public final class CaptureSupervisor {
    private static final System.Logger LOG = System.getLogger(CaptureSupervisor.class.getName());

    /** Told when a capture lists its first segment (the agent reports at once: edges wait for that). */
    private volatile Runnable firstSegment = () -> { };
    private final Path hlsRoot;
    private final String host;
    private final InputOpener opener;
    private final Clock clock;
    private final AtomicLong bytesSent;
    private final Map<String, Capture> captures = new ConcurrentHashMap<>();
    private final Map<String, StreamOutput> outputs = new ConcurrentHashMap<>();
    private final Map<String, StreamReport> rejected = new ConcurrentHashMap<>();
    private final Map<String, StreamConfig> rejectedConfigs = new ConcurrentHashMap<>();
    private final Map<String, Long> fenced = new ConcurrentHashMap<>();
    private volatile Map<String, StreamReport> unreadable = Map.of();
    private boolean suspended;
    private volatile io.tributary.agent.dvr.DvrStore dvr;

    /** What a capture's first segment triggers (a report now, so a waiting edge may pull without a report interval's delay). */
    public void onFirstSegment(Runnable r) {
        firstSegment = r == null ? () -> { } : r;
    }

    public CaptureSupervisor(Path dataDir, String host, Path fileRoot, Clock clock, AtomicLong bytesSent) {
        this.hlsRoot = dataDir.resolve("hls");
        this.host = host;
        this.opener = new InputOpener(fileRoot);
        this.clock = clock;
        this.bytesSent = bytesSent;
    }

    /** Records the segments of streams with {@code dvr} into this store (set once at start). */
    public void dvr(io.tributary.agent.dvr.DvrStore store) {
        dvr = store;
    }

    /** Makes the running set equal to {@code desired}. */
    public synchronized void apply(List<StreamConfig> desired) {
        apply(desired, Map.of());
    }

    /**
     * Makes the running set equal to {@code desired}; the streams in {@code unreadableStreams}
     * (name to reason: the backend sent an object that does not bind) are not run and are
     * reported with a validation error.
     */
    public synchronized void apply(List<StreamConfig> desired, Map<String, String> unreadableStreams) {
        if (suspended) {
            return; // fenced: nothing runs until the control plane is reached again
        }
        Map<String, StreamReport> bad = new LinkedHashMap<>();
        unreadableStreams.forEach((name, why) -> bad.put(name, new StreamReport(name, null, "error", null, null, null,
                null, null, "validation_error: " + why, 0, null, null, null, false)));
        unreadable = Map.copyOf(bad);
        List<StreamConfig> wanted = new ArrayList<>();
        for (StreamConfig c : desired) {
            if (c != null && bad.containsKey(c.name())) {
                continue;
            }
            Long f = c == null ? null : fenced.get(c.name());
            if (f != null && f == StreamDiff.generationOf(c)) {
                continue; // the control plane took this generation from us; wait for a new one
            }
            if (c != null) {
                fenced.remove(c.name());
                wanted.add(c);
            }
        }
        Map<String, StreamDiff.Running> running = new LinkedHashMap<>();
        captures.forEach((n, c) -> running.put(n, new StreamDiff.Running(c.config(), c.generation())));
        rejectedConfigs.forEach((n, c) -> running.put(n, new StreamDiff.Running(c, StreamDiff.generationOf(c))));
        StreamDiff diff = StreamDiff.compute(running, wanted);
        handOffCeilings(wanted);
        if (diff.isEmpty()) {
            return;
        }
        List<Capture> stopping = new ArrayList<>();
        for (String name : diff.removed()) {
            Capture c = captures.remove(name);
            if (c != null) {
                c.signalStop();
                stopping.add(c);
            }
        }
        for (StreamConfig cfg : diff.changed()) {
            Capture c = captures.remove(cfg.name());
            if (c != null) {
                c.signalStop();
                stopping.add(c);
            }
        }
        stopping.forEach(Capture::awaitStopped);
        for (String name : diff.removed()) {
            rejected.remove(name);
            rejectedConfigs.remove(name);
            StreamOutput out = outputs.remove(name);
            if (out != null) {
                out.close();
            }
            LOG.log(Level.INFO, "stream=" + name + " host=" + host + ": removed");
        }
        for (StreamConfig cfg : diff.changed()) {
            start(cfg);
        }
        for (StreamConfig cfg : diff.reconfigured()) {
            Capture c = captures.get(cfg.name());
            if (c == null) {
                start(cfg); // a refused config: try the new one from scratch
            } else {
                c.reconfigure(cfg);
                c.output().hls().resize(cfg.segmentCountOrDefault());
                LOG.log(Level.INFO, "stream=" + cfg.name() + " gen=" + c.generation() + " host=" + host
                        + ": reconfigured in place (segment_count " + cfg.segmentCountOrDefault() + ")");
            }
        }
        for (StreamConfig cfg : diff.added()) {
            start(cfg);
        }
    }

    /**
     * Drain and fail-back cut-over: a stream we hand off lists segments up to the number the
     * control plane gives ({@code last_media_sequence}); the new owner lists the next ones.
     */
    private void handOffCeilings(List<StreamConfig> wanted) {
        for (StreamConfig cfg : wanted) {
            AssignmentInfo a = cfg.assignment();
            Capture c = captures.get(cfg.name());
            if (a == null || a.lastMediaSequence() == null || c == null || c.generation() != StreamDiff.generationOf(cfg)) {
                continue;
            }
            boolean inTime = c.output().hls().stopAfter(a.lastMediaSequence());
            c.output().rungs().forEach(r -> r.hls().stopAfter(a.lastMediaSequence()));
            if (!inTime) {
                LOG.log(Level.WARNING, "stream=" + cfg.name() + " gen=" + c.generation() + " host=" + host
                        + ": hand-off ceiling " + a.lastMediaSequence() + " came after a later segment was listed");
            }
        }
    }

    private void start(StreamConfig cfg) {
        String name = cfg.name();
        rejected.remove(name);
        rejectedConfigs.remove(name);
        long generation = StreamDiff.generationOf(cfg);
        String invalid = refusal(cfg);
        if (invalid != null) {
            LOG.log(Level.WARNING, "stream=" + name + " gen=" + generation + " host=" + host + ": refused: " + invalid);
            rejectedConfigs.put(name, cfg);
            rejected.put(name, new StreamReport(name, StreamDiff.reportedGeneration(cfg), "error", null, null, null, null, null,
                    "validation_error: " + invalid, 0, null, null, null, false));
            StreamOutput out = outputs.remove(name);
            if (out != null) {
                out.close();
            }
            return;
        }
        AssignmentInfo a = cfg.assignment();
        long firstSeq = a == null || a.mediaSequence() == null ? 0 : a.mediaSequence();
        long disc = a == null || a.discontinuitySequence() == null ? 0 : a.discontinuitySequence();
        StreamOutput out = outputs.get(name);
        if (out == null) {
            HlsOutput hls = new HlsOutput(hlsRoot.resolve(directoryName(name)), cfg.segmentCountOrDefault(),
                    cfg.segmentDurationOrDefault(), firstSeq, disc, clock);
            out = new StreamOutput(name, hls, bytesSent, clock);
            outputs.put(name, out);
        } else {
            out.hls().restart(firstSeq, disc, cfg.segmentDurationOrDefault());
            out.hls().resize(cfg.segmentCountOrDefault());
        }
        io.tributary.agent.dvr.DvrStore store = dvr;
        out.recordTo(store == null ? null : store.recorder(cfg));
        Capture c = new Capture(cfg, generation, host, out, opener);
        c.onFirstSegment(firstSegment);
        captures.put(name, c);
        c.start();
    }

    /** A flat, collision-free directory per stream ('/' is not allowed in names' parts, '~' never in names). */
    static String directoryName(String name) {
        return name.replace('/', '~');
    }

    /** Why this agent refuses to run a config (StreamValidation), or null when it is valid. */
    public static String refusal(StreamConfig cfg) {
        var violations = StreamValidation.validate(cfg);
        if (!violations.isEmpty()) {
            return violations.stream().map(v -> v.field() + ": " + v.message()).collect(Collectors.joining("; "));
        }
        for (InputConfig in : cfg.inputs()) {
            if (InputOpener.scheme(in.url()).equals("file")) {
                return null; // checked at open time against TRIBUTARY_FILE_ROOT, reported in last_error
            }
        }
        return null;
    }

    /** Stops a stream now (fencing): the control plane says this generation is no longer ours. */
    public synchronized void fence(String name) {
        Capture c = captures.remove(name);
        if (c != null) {
            fenced.put(name, c.generation());
            c.stop();
            LOG.log(Level.INFO, "stream=" + name + " gen=" + c.generation() + " host=" + host + ": stopped (fenced)");
        }
        rejected.remove(name);
        rejectedConfigs.remove(name);
        StreamOutput out = outputs.remove(name);
        if (out != null) {
            out.close();
        }
    }

    /**
     * Fencing after the lease: stops every capture and its outputs, and runs nothing until
     * {@link #resume()}; the next applied config says what runs then.
     */
    public synchronized void suspend() {
        suspended = true;
        List<String> names = new ArrayList<>(captures.keySet());
        captures.values().forEach(Capture::signalStop);
        for (String name : names) {
            Capture c = captures.remove(name);
            c.awaitStopped();
            StreamOutput out = outputs.remove(name);
            if (out != null) {
                out.close();
            }
            LOG.log(Level.INFO, "stream=" + name + " gen=" + c.generation() + " host=" + host + ": stopped (lease fenced)");
        }
        rejected.clear();
        rejectedConfigs.clear();
        unreadable = Map.of();
    }

    public synchronized void resume() {
        suspended = false;
    }

    public synchronized boolean suspended() {
        return suspended;
    }

    public synchronized void stopAll() {
        captures.values().forEach(Capture::signalStop);
        captures.values().forEach(Capture::awaitStopped);
        captures.clear();
    }

    public Capture capture(String name) {
        return captures.get(name);
    }

    public StreamOutput output(String name) {
        return captures.containsKey(name) ? outputs.get(name) : null;
    }

    public List<StreamReport> reports() {
        List<StreamReport> r = new ArrayList<>();
        captures.values().forEach(c -> r.add(c.report()));
        r.addAll(rejected.values());
        unreadable.values().stream().filter(u -> !captures.containsKey(u.name()) && !rejected.containsKey(u.name()))
                .forEach(r::add);
        return r;
    }

    public Map<String, Capture> captures() {
        return Map.copyOf(captures);
    }
}
