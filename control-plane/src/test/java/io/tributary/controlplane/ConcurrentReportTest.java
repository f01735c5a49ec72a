package io.tributary.controlplane;

import static io.tributary.controlplane.TestApi.admin;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * An agent's periodic report and one it sends at once (first segment, poke) can arrive together:
 * both first reports of a new host, with new stream rows, must succeed (they used to race into a
 * duplicate key and a 500).
 */
@QuarkusTest
class ConcurrentReportTest {
    @Test
    void simultaneousFirstReportsOfOneHostAllSucceed() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 5; round++) {
                String host = "race-" + AgentConfigBackendTest.id();
                String streams = "[" + AgentConfigBackendTest.running("race-s1-" + round, 1, 1).replace("\"generation\":1,", "")
                        + "," + AgentConfigBackendTest.running("race-s2-" + round, 1, 1).replace("\"generation\":1,", "") + "]";
                List<Callable<Integer>> calls = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    calls.add(() -> AgentConfigBackendTest.report(host, streams).statusCode());
                }
                List<Integer> statuses = new ArrayList<>();
                for (Future<Integer> f : pool.invokeAll(calls)) {
                    statuses.add(f.get());
                }
                assertThat(statuses).as("statuses of 8 simultaneous first reports of %s", host).containsOnly(200);
                admin().get("/api/v1/servers/" + host).then().statusCode(200);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
