package io.tributary.controlplane.cluster;

import io.tributary.api.cluster.ClusterSummary;
import io.tributary.api.server.ServerConfig;
import io.tributary.api.stream.StreamConfig;
import io.tributary.controlplane.assignment.LeaderElection;
import io.tributary.controlplane.server.ServerService;
import io.tributary.controlplane.stream.StreamEntity;
import io.tributary.controlplane.stream.StreamService;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** {@code GET /api/v1/cluster}: counts of servers and streams by state. */
@Path("/api/v1/cluster")
@Produces(MediaType.APPLICATION_JSON)
public class ClusterResource {
    private final ServerService servers;
    private final StreamService streams;
    private final LeaderElection leader;

    public ClusterResource(ServerService servers, StreamService streams, LeaderElection leader) {
        this.servers = servers;
        this.streams = streams;
        this.leader = leader;
    }

    @GET
    @Transactional
    public ClusterSummary summary() {
        Map<String, Long> byServer = new TreeMap<>();
        for (ServerConfig s : servers.list()) {
            byServer.merge(s.status(), 1L, Long::sum);
            if ("draining".equals(s.schedulable())) {
                byServer.merge("draining", 1L, Long::sum);
            }
            byServer.merge("total", 1L, Long::sum);
        }
        Map<String, Long> byStream = new TreeMap<>();
        List<StreamConfig> all = streams.withStats(StreamEntity.<StreamEntity>listAll());
        for (StreamConfig c : all) {
            byStream.merge(c.stats().status(), 1L, Long::sum);
            byStream.merge("total", 1L, Long::sum);
        }
        return new ClusterSummary(byServer, byStream, leader.currentLeader());
    }
}
