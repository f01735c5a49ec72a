package io.tributary.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Base of every command that calls the API: the client, {@code --json}, and output helpers. */
public abstract class ApiCommand implements Callable<Integer> {
    private static final YAMLMapper YAML = new YAMLMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .build());

    @Spec
    protected CommandSpec spec;

    @Option(names = "--json", description = "print the API's JSON instead of text for people")
    protected boolean json;

    @Override
    public final Integer call() throws Exception {
        try {
            return run();
        } finally {
            out().flush();
        }
    }

    /** Does the command's work; returns the exit code. */
    protected abstract int run() throws Exception;

    protected TributaryCommand root() {
        return (TributaryCommand) spec.root().userObject();
    }

    protected ApiClient api() {
        return root().client();
    }

    protected CliEnvironment environment() {
        return root().environment();
    }

    protected Clock clock() {
        return environment().clock();
    }

    protected PrintWriter out() {
        return spec.commandLine().getOut();
    }

    protected PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** JSON indented by two spaces, one document per call. */
    protected void printJson(JsonNode node) {
        out().println(prettyJson(node));
    }

    /** A line of compact JSON (for streams of documents: follow, watch). */
    protected void printJsonLine(JsonNode node) {
        out().println(node.toString());
        out().flush();
    }

    protected void printYaml(JsonNode node) {
        try {
            out().print(YAML.writeValueAsString(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String prettyJson(JsonNode node) {
        DefaultPrettyPrinter pp = new DefaultPrettyPrinter().withObjectIndenter(new DefaultIndenter("  ", "\n"));
        ObjectWriter w = io.tributary.api.Json.mapper().writer(pp);
        try {
            return w.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
