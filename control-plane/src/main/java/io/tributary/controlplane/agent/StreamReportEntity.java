package io.tributary.controlplane.agent;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** Observed: one stream as one agent last reported it. */
@Entity
@Table(name = "stream_reports")
public class StreamReportEntity extends PanacheEntityBase {
    @EmbeddedId
    public Key id;

    public Long generation;

    public String status;

    /** StreamReport as JSON. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(columnDefinition = "jsonb")
    public String report;

    @Column(name = "reported_at")
    public Instant reportedAt;

    /** (stream, host) key. */
    @Embeddable
    public static class Key implements Serializable {
        @Column(name = "stream_name")
        public String streamName;

        public String hostname;

        public Key() {
        }

        public Key(String streamName, String hostname) {
            this.streamName = streamName;
            this.hostname = hostname;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.streamName.equals(streamName) && k.hostname.equals(hostname);
        }

        @Override
        public int hashCode() {
            return Objects.hash(streamName, hostname);
        }
    }
}
