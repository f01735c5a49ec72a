package io.tributary.agent;

/** Entry point of {@code java -jar worker-agent.jar [--config FILE]}. */
public final class AgentMain {
    private AgentMain() {
    }

    public static void main(String[] args) throws Exception {
        AgentConfig config = AgentConfig.fromEnvironment(args);
        Agent agent = Agent.start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(agent::close, "shutdown"));
        Thread.currentThread().join();
    }
}
