package io.tributary.controlplane.stream;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A stream's desired configuration as the operator wrote it (JSON), with an optimistic version. */
@Entity
@Table(name = "streams")
public class StreamEntity extends PanacheEntityBase {
    @Id
    public String name;

    /** The config as JSON text (StreamConfig without stats or assignment). */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(columnDefinition = "jsonb")
    public String config;

    @Column(name = "is_static")
    public boolean isStatic;

    public boolean disabled;

    /** Incremented on every write; the API exposes it as the ETag. Checked explicitly, see StreamService. */
    public long version;

    @Column(name = "restart_seq")
    public long restartSeq;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "updated_at")
    public Instant updatedAt;
}
