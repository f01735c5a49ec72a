package io.tributary.controlplane.agent;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tributary.api.agent.AgentReport;
import io.tributary.api.agent.AgentReportResponse;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code PUT /api/v1/agents/{hostname}}: an agent registers and reports (cluster key). Counts at
 * {@code /q/metrics} the reports answered from memory and in full
 * ({@code tributary_agent_reports_total{path}}) and the time spent answering them, from the
 * resource's entry to its return ({@code tributary_agent_report_seconds}, p50 and p99).
 */
@Path("/api/v1/agents")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class AgentResource {
    private final AgentService service;
    private final Counter quickCount;
    private final Counter fullCount;
    private final Timer time;

    public AgentResource(AgentService service, MeterRegistry registry) {
        this.service = service;
        this.quickCount = Counter.builder("tributary.agent.reports").tag("path", "quick")
                .description("agent reports answered from memory").register(registry);
        this.fullCount = Counter.builder("tributary.agent.reports").tag("path", "full")
                .description("agent reports answered by a full transaction").register(registry);
        this.time = Timer.builder("tributary.agent.report").publishPercentiles(0.5, 0.99)
                .distributionStatisticExpiry(java.time.Duration.ofSeconds(30)).distributionStatisticBufferLength(3)
                .description("time to answer an agent report inside the control plane").register(registry);
    }

    @PUT
    @Path("/{hostname}")
    public AgentReportResponse report(@PathParam("hostname") String hostname, AgentReport report) {
        long t0 = System.nanoTime();
        try {
            // The steady report (nothing changed since the last) needs no transaction.
            AgentReportResponse quick = service.quickReport(hostname, report);
            if (quick != null) {
                quickCount.increment();
                return quick;
            }
            fullCount.increment();
            return service.report(hostname, report);
        } finally {
            time.record(System.nanoTime() - t0, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }
}
