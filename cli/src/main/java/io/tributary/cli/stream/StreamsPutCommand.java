package io.tributary.cli.stream;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tributary.api.Json;
import io.tributary.api.stream.ClusterIngest;
import io.tributary.api.stream.Dvr;
import io.tributary.api.stream.InputConfig;
import io.tributary.api.stream.StreamConfig;
import io.tributary.cli.ApiClient;
import io.tributary.cli.ApiCommand;
import io.tributary.cli.ApiFailure;
import io.tributary.cli.UsageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tributary streams put NAME}: creates or replaces a stream from flags, a JSON or YAML
 * file, or (with --merge) the stream as it is now; flags win over the file.
 */
@Command(name = "put", sortOptions = false, description = {
        "Create or replace a stream. The config comes from -f FILE (JSON or YAML, '-' for stdin), or with --merge "
                + "from the stream as it is now, or else from nothing; the flags then set single fields.",
        "PUT replaces the whole config: without -f or --merge, fields you do not give are reset to their defaults."})
final class StreamsPutCommand extends ApiCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "stream name (wins over a name in the file)")
    String name;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "stream config as JSON or YAML; '-' reads stdin")
    String file;

    @Option(names = "--merge", description = "start from the stream's current config and write only over that version")
    boolean merge;

    @Option(names = {"-i", "--input"}, paramLabel = "URL", description = "input URL, repeatable; the first is preferred "
            + "(replaces the inputs of the file)")
    List<String> inputs;

    @Option(names = "--title", paramLabel = "TEXT", description = "title")
    String title;

    @Option(names = "--static", negatable = true, description = "static: kept running by cluster ingest (default); "
            + "--no-static starts it on demand")
    Boolean isStatic;

    @Option(names = "--disabled", negatable = true, description = "disabled: kept but not run (--no-disabled enables)")
    Boolean disabled;

    @Option(names = "--capture-at", paramLabel = "HOSTNAME", description = "preferred server for the capture")
    String captureAt;

    @Option(names = "--clients-timeout", paramLabel = "SECONDS", description = "stop an on-demand stream this long after its last viewer")
    Integer clientsTimeout;

    @Option(names = "--segment-duration", paramLabel = "MS", description = "HLS segment duration in milliseconds")
    Integer segmentDuration;

    @Option(names = "--segment-count", paramLabel = "N", description = "segments in the live playlist")
    Integer segmentCount;

    @Option(names = "--dvr-expiration", paramLabel = "SECONDS", description = "record and keep this many seconds of DVR")
    Long dvrExpiration;

    @Option(names = "--dvr-storage-limit", paramLabel = "BYTES", description = "DVR bytes kept per stream")
    Long dvrStorageLimit;

    @Option(names = "--label", paramLabel = "KEY=VALUE", description = "label, repeatable (added to those of the file)")
    Map<String, String> labels;

    @Option(names = "--if-match", paramLabel = "VERSION", description = "write only if the stream is still at this "
            + "version (409 otherwise); see `streams get`")
    String ifMatch;

    @Override
    protected int run() throws IOException {
        if (merge && file != null) {
            throw new UsageException("--merge and -f cannot be used together");
        }
        StreamConfig base = null;
        String expected = ifMatch;
        if (file != null) {
            base = readFile(file);
        } else if (merge) {
            ApiClient.Reply current = api().get(ApiClient.path("/api/v1/streams", name));
            base = api().read(current, StreamConfig.class);
            if (expected == null) {
                expected = current.etag();
            }
        }
        StreamConfig body = apply(base);
        ApiClient.Reply r;
        try {
            r = api().put(ApiClient.path("/api/v1/streams", name), body, expected);
        } catch (ApiFailure f) {
            if (f.status() == 409 && merge && ifMatch == null) {
                throw new ApiFailure(409, new io.tributary.api.ApiError(f.error().error(),
                        f.error().message() + "; run the command again to merge into the new version", f.error().field()));
            }
            throw f;
        }
        if (json) {
            printJson(api().tree(r));
        } else {
            out().println("stream '" + name + "' saved" + (r.etag() == null ? "" : ", version " + r.etag()));
        }
        return 0;
    }

    /** The config to send: the base (or nothing) with every given flag applied, named NAME, without read-only parts. */
    StreamConfig apply(StreamConfig base) {
        StreamConfig b = base == null
                ? new StreamConfig(name, null, null, null, null, null, null, null, null, null, null, null, null, null)
                : base;
        List<InputConfig> in = b.inputs();
        if (inputs != null && !inputs.isEmpty()) {
            in = inputs.stream().map(InputConfig::new).toList();
        }
        ClusterIngest ci = captureAt == null ? b.clusterIngest() : new ClusterIngest(captureAt);
        Dvr dvr = b.dvr();
        if (dvrExpiration != null || dvrStorageLimit != null) {
            Dvr d = dvr == null ? new Dvr(null, null, null) : dvr;
            dvr = new Dvr(dvrExpiration != null ? dvrExpiration : d.expiration(),
                    dvrStorageLimit != null ? dvrStorageLimit : d.storageLimit(), d.root());
        }
        Map<String, String> lab = b.labels();
        if (labels != null && !labels.isEmpty()) {
            lab = new LinkedHashMap<>(lab == null ? Map.of() : lab);
            lab.putAll(labels);
        }
        return new StreamConfig(name, title != null ? title : b.title(), in,
                isStatic != null ? isStatic : b.isStatic(),
                clientsTimeout != null ? clientsTimeout : b.clientsTimeout(),
                disabled != null ? disabled : b.disabled(), ci, b.transcoder(), dvr,
                segmentDuration != null ? segmentDuration : b.segmentDuration(),
                segmentCount != null ? segmentCount : b.segmentCount(), lab, null, null);
    }

    /** Reads JSON or YAML (JSON is read as YAML too); unknown fields are refused here, naming the file. */
    StreamConfig readFile(String f) throws IOException {
        byte[] bytes;
        String label = f.equals("-") ? "stdin" : f;
        if (f.equals("-")) {
            InputStream in = environment().stdin();
            bytes = in.readAllBytes();
        } else {
            try {
                bytes = Files.readAllBytes(Path.of(f));
            } catch (NoSuchFileException e) {
                throw new UsageException("-f " + f + ": no such file");
            } catch (IOException e) {
                throw new UsageException("-f " + f + ": cannot read: " + e.getMessage());
            }
        }
        return parse(new String(bytes, StandardCharsets.UTF_8), label);
    }

    static StreamConfig parse(String text, String label) {
        if (text.isBlank()) {
            throw new UsageException(label + " is empty");
        }
        ObjectMapper strict = text.stripLeading().startsWith("{") ? Json.mapper() : new ObjectMapper(new YAMLFactory());
        strict.findAndRegisterModules();
        strict.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        strict.disable(DeserializationFeature.FAIL_ON_IGNORED_PROPERTIES);
        try {
            StreamConfig c = strict.readValue(text, StreamConfig.class);
            if (c == null) {
                throw new UsageException(label + " holds no stream config");
            }
            return c;
        } catch (JsonMappingException e) {
            String path = io.tributary.api.JsonPaths.of(e);
            throw new UsageException(label + ": " + e.getOriginalMessage().replaceAll("\\s*\\(class [^)]*\\)", "")
                    .replaceAll(",? not marked as ignorable.*", "")
                    + (path.isEmpty() ? "" : " (field: " + path + ")"));
        } catch (IOException e) {
            throw new UsageException(label + " is neither JSON nor YAML: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }
}
