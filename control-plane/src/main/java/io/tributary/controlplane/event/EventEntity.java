package io.tributary.controlplane.event;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** One row of the cluster's timeline. */
@Entity
@Table(name = "events")
public class EventEntity extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public Instant at;

    public String type;

    @Column(name = "stream_name")
    public String streamName;

    public String hostname;

    public Long generation;

    public String message;

    @Column(name = "duration_ms")
    public Long durationMs;
}
