package io.tributary.controlplane.agent;

import io.tributary.api.agent.AgentReport;
import io.tributary.api.agent.AgentReportResponse;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code PUT /api/v1/agents/{hostname}}: an agent registers and reports (cluster key). */
@Path("/api/v1/agents")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class AgentResource {
    private final AgentService service;

    public AgentResource(AgentService service) {
        this.service = service;
    }

    @PUT
    @Path("/{hostname}")
    public AgentReportResponse report(@PathParam("hostname") String hostname, AgentReport report) {
        // The steady report (nothing changed since the last) needs no transaction.
        AgentReportResponse quick = service.quickReport(hostname, report);
        return quick != null ? quick : service.report(hostname, report);
    }
}
