package io.tributary.controlplane.assignment;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tributary.controlplane.common.AfterCommit;
import io.tributary.controlplane.common.TributaryConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The scheduler loop: on its own thread, every {@code scheduler-interval-ms}, the replica that
 * holds the leader lock runs one pass. {@link #wake()} runs a pass at once (after a stream change).
 */
@ApplicationScoped
public class Scheduler {
    private static final Logger LOG = Logger.getLogger(Scheduler.class);

    private final LeaderElection leader;
    private final SchedulerPass pass;
    private final TributaryConfig config;
    private final TransactionSynchronizationRegistry transactions;
    private ScheduledExecutorService executor;

    public Scheduler(LeaderElection leader, SchedulerPass pass, TributaryConfig config,
            TransactionSynchronizationRegistry transactions) {
        this.leader = leader;
        this.pass = pass;
        this.config = config;
        this.transactions = transactions;
    }

    /** Runs a pass once the caller's transaction has committed, so the pass sees its change. */
    public void wakeAfterCommit() {
        AfterCommit.run(transactions, this::wake);
    }

    void onStart(@Observes StartupEvent ev) {
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tributary-scheduler");
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(this::tick, config.schedulerIntervalMs(), config.schedulerIntervalMs(),
                TimeUnit.MILLISECONDS);
    }

    void onStop(@Observes ShutdownEvent ev) {
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    private final java.util.concurrent.atomic.AtomicBoolean wakeQueued = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Runs a pass soon, without waiting for the next tick. Wakes coalesce: at most one pass is
     * queued (a thousand servers coming up queued a thousand passes, run back to back).
     */
    public void wake() {
        if (executor != null && !executor.isShutdown() && wakeQueued.compareAndSet(false, true)) {
            executor.execute(() -> {
                wakeQueued.set(false); // a wake from now on queues another pass, which sees its change
                tick();
            });
        }
    }

    private void tick() {
        try {
            if (leader.isLeader()) {
                pass.runOnce();
            }
        } catch (RuntimeException e) {
            LOG.warnf("scheduler pass failed, retrying next tick: %s", e.toString());
        }
    }
}
