package io.tributary.controlplane.common;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/** Typed configuration of the control plane; keys and defaults are documented in application.properties. */
@ConfigMapping(prefix = "tributary")
public interface TributaryConfig {
    /** First admin token; generated when absent and no admin exists. */
    Optional<String> adminToken();

    /** Shared secret the agents authenticate with. */
    Optional<String> clusterKey();

    @WithDefault("1000")
    long reportIntervalMs();

    @WithDefault("3000")
    long failoverTimeoutMs();

    @WithDefault("10000")
    long leaseMs();

    @WithDefault("5000")
    long graceMs();

    @WithDefault("500")
    long schedulerIntervalMs();

    /** How often reports' unchanged facts (last seen, stats, segment numbers) are written behind. */
    @WithDefault("200")
    long reportFlushMs();

    /**
     * How often the row of a steady stream (a report that changed only its numbers, on a host in
     * no hand-off) is written: at 10,000 streams every row each second was 10,000 updates a second.
     */
    @WithDefault("1000")
    long reportStreamWriteMs();

    /** Silence after which the leader probes a server's agent (default 1.5 report intervals; 0: never). */
    Optional<Long> deathProbeAfterMs();

    Db db();

    /** Name of this replica's database sessions (shows who schedules). */
    String replicaName();

    /** Path of the agent jar served at /downloads/worker-agent.jar. */
    Optional<String> agentJar();

    BalancerSettings balancer();

    /** The viewer balancer. */
    interface BalancerSettings {
        /** usage, clients, bitrate or streams. */
        @WithDefault("usage")
        String mode();

        @WithDefault("250")
        long refreshMs();
    }

    /** Database connection, used by Quarkus' datasource. */
    interface Db {
        String url();

        String user();

        Optional<String> password();
    }
}
