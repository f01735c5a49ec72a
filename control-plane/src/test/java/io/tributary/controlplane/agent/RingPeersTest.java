package io.tributary.controlplane.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.api.agent.AgentReportResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class RingPeersTest {
    private static List<AgentService.PeerRow> servers(int n, java.util.function.IntPredicate down) {
        List<AgentService.PeerRow> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String h = String.format("w%04d", i);
            rows.add(new AgentService.PeerRow(h, "http://" + h + ":8090", down.test(i) ? "down" : "up"));
        }
        return rows;
    }

    private static List<String> names(List<AgentReportResponse.Peer> peers) {
        return peers.stream().map(AgentReportResponse.Peer::hostname).toList();
    }

    @Test
    void aSmallClusterGivesEveryOtherServer() {
        List<AgentService.PeerRow> rows = servers(3, i -> false);
        assertThat(names(AgentService.ringPeers(rows, "w0001"))).containsExactly("w0002", "w0000");
        assertThat(names(AgentService.ringPeers(rows, "unknown-host"))).hasSize(3);
    }

    @Test
    void aLargeClusterGivesTheNextSixteenUpServersAndEveryServerIsAskedEvenly() {
        List<AgentService.PeerRow> rows = servers(1000, i -> i % 10 == 3);
        List<AgentReportResponse.Peer> p = AgentService.ringPeers(rows, "w0998");
        assertThat(p).hasSize(AgentService.MAX_PEERS);
        assertThat(p).allMatch(x -> x.status().equals("up"));
        assertThat(names(p)).startsWith("w0999", "w0000", "w0001", "w0002", "w0004").doesNotContain("w0998", "w0003");
        Map<String, Integer> askedBy = new TreeMap<>();
        for (AgentService.PeerRow r : rows) {
            for (AgentReportResponse.Peer x : AgentService.ringPeers(rows, r.hostname())) {
                askedBy.merge(x.hostname(), 1, Integer::sum);
            }
        }
        assertThat(askedBy.values()).allMatch(n -> n >= 16 && n <= 20);
    }

    @Test
    void whenTooFewAreUpTheDownOnesFillTheList() {
        List<AgentService.PeerRow> rows = servers(40, i -> i >= 5);
        List<AgentReportResponse.Peer> p = AgentService.ringPeers(rows, "w0000");
        assertThat(p).hasSize(AgentService.MAX_PEERS);
        assertThat(names(p)).startsWith("w0001", "w0002", "w0003", "w0004");
    }
}
