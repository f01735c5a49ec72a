package io.tributary.agent;

/** Entry point of {@code java -jar worker-agent.jar [--config FILE]}. */
public final class AgentMain {
    private AgentMain() {
    }

    public static void main(String[] args) throws Exception {
        java.util.Properties file = AgentConfig.file(args);
        AgentConfig config = AgentConfig.load(System.getenv(), file);
        // the DVR's agent-wide settings (root, disk limit, ...) come from the same environment and file
        Agent agent = Agent.start(config, io.tributary.agent.dvr.DvrConfig.load(
                AgentConfig.settings(System.getenv(), file), config.dvrRoot()));
        Runtime.getRuntime().addShutdownHook(new Thread(agent::close, "shutdown"));
        Thread.currentThread().join();
    }
}
