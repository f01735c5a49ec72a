package io.tributary.controlplane.server;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A server of the cluster: its desired settings, and the up/down state the failure detector decides. */
@Entity
@Table(name = "servers")
public class ServerEntity extends PanacheEntityBase {
    @Id
    public String hostname;

    @Column(name = "api_url")
    public String apiUrl;

    @Column(name = "public_payload_url")
    public String publicPayloadUrl;

    @Column(name = "private_payload_url")
    public String privatePayloadUrl;

    /** Comma-separated: ingest, edge. */
    public String roles;

    @Column(name = "group_name")
    public String groupName;

    @Column(name = "channel_limit")
    public Integer channelLimit;

    @Column(name = "max_bitrate")
    public Long maxBitrate;

    public boolean draining;

    public String status;

    @Column(name = "status_changed_at")
    public Instant statusChangedAt;

    public long version;

    @Column(name = "created_at")
    public Instant createdAt;
}
