package io.tributary.controlplane.assignment;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** Desired: the server that captures a stream, for which generation; hostname null means waiting. */
@Entity
@Table(name = "assignments")
public class AssignmentEntity extends PanacheEntityBase {
    @Id
    @Column(name = "stream_name")
    public String streamName;

    public String hostname;

    public long generation;

    @Column(name = "handoff_from")
    public String handoffFrom;

    @Column(name = "handoff_generation")
    public Long handoffGeneration;

    public String reason;

    @Column(name = "media_sequence")
    public long mediaSequence;

    @Column(name = "discontinuity_sequence")
    public long discontinuitySequence;

    @Column(name = "assigned_at")
    public Instant assignedAt;
}
