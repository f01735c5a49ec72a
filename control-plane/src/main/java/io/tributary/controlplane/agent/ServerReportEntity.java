package io.tributary.controlplane.agent;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** Observed: the last report of one agent. Written only from agent reports. */
@Entity
@Table(name = "server_reports")
public class ServerReportEntity extends PanacheEntityBase {
    @Id
    public String hostname;

    @Column(name = "last_seen_at")
    public Instant lastSeenAt;

    @Column(name = "agent_started_at")
    public Long agentStartedAt;

    @Column(name = "agent_version")
    public String agentVersion;

    /** ServerStats as JSON. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(columnDefinition = "jsonb")
    public String stats;

    /** ConfigExternalError as JSON, null when the agent reads its config fine. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "config_external_error", columnDefinition = "jsonb")
    public String configExternalError;
}
