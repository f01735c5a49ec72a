package io.tributary.controlplane.downloads;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Optional;
import io.tributary.controlplane.common.TributaryConfig;

/**
 * Serves what a new worker needs: {@code GET /install/worker.sh} (the install script, with this
 * control plane's URL filled in) and {@code GET /downloads/worker-agent.jar}. Both need no token:
 * the script asks for the cluster key and checks it against the config backend.
 */
@Path("/")
public class DownloadResource {
    private final Optional<String> agentJar;

    public DownloadResource(TributaryConfig config) {
        this.agentJar = config.agentJar();
    }

    @GET
    @Path("install/worker.sh")
    @Produces("text/x-shellscript")
    public Response installScript(@Context UriInfo uri) throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/install/install-worker.sh")) {
            if (in == null) {
                return Response.status(404).type("text/plain").entity("install script is not packaged\n").build();
            }
            String base = uri.getBaseUri().toString().replaceAll("/+$", "");
            String script = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("@CONTROL_PLANE_URL@", base);
            return Response.ok(script).build();
        }
    }

    @GET
    @Path("downloads/worker-agent.jar")
    @Produces("application/java-archive")
    public Response agentJar() {
        Optional<java.nio.file.Path> jar = locateAgentJar();
        if (jar.isEmpty()) {
            return Response.status(404).type("text/plain")
                    .entity("worker-agent.jar not found: set TRIBUTARY_AGENT_JAR to its path\n").build();
        }
        return Response.ok(jar.get().toFile()).header("Content-Disposition", "attachment; filename=worker-agent.jar").build();
    }

    /** TRIBUTARY_AGENT_JAR, else the agent built beside this control plane in the repository. */
    Optional<java.nio.file.Path> locateAgentJar() {
        if (agentJar.isPresent()) {
            java.nio.file.Path p = java.nio.file.Path.of(agentJar.get());
            return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
        }
        try {
            java.nio.file.Path here = java.nio.file.Path.of(DownloadResource.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (java.nio.file.Path dir = here; dir != null; dir = dir.getParent()) {
                java.nio.file.Path candidate = dir.resolve("worker-agent/target/worker-agent.jar");
                if (Files.isRegularFile(candidate)) {
                    return Optional.of(candidate);
                }
            }
        } catch (Exception ignored) {
            // no code source: only the configured path can serve
        }
        return Optional.empty();
    }
}
