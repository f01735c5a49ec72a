package io.tributary.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.api.Json;
import io.tributary.e2e.harness.ClusterHarness;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged CLI ({@code cli/target/tributary}) as a separate process against a real control
 * plane: every command, the shapes of --json, error messages and exit codes.
 */
class CliTest {
    private static final ObjectMapper JSON = Json.mapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static ClusterHarness cluster;
    private static Path cli;

    @TempDir
    static Path tmp;

    /** What one run of the CLI left behind. */
    record Run(List<String> args, int exitCode, String out, String err) {
        Run ok() {
            assertThat(exitCode).as("exit code of tributary %s%nstdout:%n%s%nstderr:%n%s", args, out, err).isZero();
            assertThat(err).as("stderr of tributary %s", args).isEmpty();
            return this;
        }

        Run fails(int code) {
            assertThat(exitCode).as("exit code of tributary %s%nstdout:%n%s%nstderr:%n%s", args, out, err).isEqualTo(code);
            return this;
        }

        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (IOException e) {
                throw new AssertionError("tributary " + args + " did not print JSON:\n" + out, e);
            }
        }

        List<String> lines() {
            return out.lines().toList();
        }
    }

    @BeforeAll
    static void start() throws IOException {
        cli = ClusterHarness.repoRoot().resolve("cli/target/tributary");
        assertThat(cli).as("the e2e module runs after `./mvnw package` of cli").isExecutable();
        cluster = ClusterHarness.start(0);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Map<String, String> admin() {
        return Map.of("TRIBUTARY_URL", cluster.url(), "TRIBUTARY_TOKEN", cluster.adminToken());
    }

    private static Map<String, String> as(String token) {
        return Map.of("TRIBUTARY_URL", cluster.url(), "TRIBUTARY_TOKEN", token);
    }

    private static Run tributary(String... args) {
        return tributary(admin(), args);
    }

    /** Runs the CLI's own command tree in this JVM, with the given environment and a scratch home. */
    private static Run tributary(Map<String, String> env, String... args) {
        try {
            Path home = Files.createTempDirectory(tmp, "home-");
            java.io.StringWriter out = new java.io.StringWriter();
            java.io.StringWriter err = new java.io.StringWriter();
            picocli.CommandLine cl = io.tributary.cli.TributaryMain.commandLine(new io.tributary.cli.CliEnvironment(env, home,
                    java.time.Clock.systemUTC(), new java.io.ByteArrayInputStream(new byte[0]), false));
            cl.setOut(new java.io.PrintWriter(out, true));
            cl.setErr(new java.io.PrintWriter(err, true));
            int code = cl.execute(args);
            cl.getOut().flush();
            cl.getErr().flush();
            return new Run(List.of(args), code, out.toString(), err.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The same through the packaged launcher cli/target/tributary, as a separate process. */
    private static Run tributaryProcess(Map<String, String> env, String... args) {
        return launch(env, null, args).await(TIMEOUT);
    }

    /** Starts the CLI in a scratch directory (not the repository) with HOME pointing there too. */
    private static ProcessHolder launch(Map<String, String> env, Path home, String... args) {
        try {
            Path dir = Files.createTempDirectory(tmp, "run-");
            Path out = dir.resolve("stdout");
            Path err = dir.resolve("stderr");
            List<String> cmd = new ArrayList<>();
            cmd.add(cli.toString());
            cmd.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            Map<String, String> e = pb.environment();
            e.keySet().removeIf(k -> k.startsWith("TRIBUTARY_") || k.equals("XDG_CONFIG_HOME"));
            e.put("HOME", (home == null ? dir : home).toString());
            e.putAll(env);
            return new ProcessHolder(List.of(args), pb.start(), out, err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A running CLI whose output goes to files, so a test can watch it while it runs. */
    record ProcessHolder(List<String> args, Process process, Path out, Path err) {
        String outSoFar() {
            try {
                return Files.readString(out, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        Run await(Duration timeout) {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    throw new AssertionError("tributary " + args + " did not finish within " + timeout + "; stdout:\n"
                            + outSoFar());
                }
                return new Run(args, process.exitValue(), outSoFar(), Files.readString(err, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void streamsPutGetListRestartDelete() {
        Run put = tributary("streams", "put", "cli/one", "--input", "fake://one?size=320x180", "--title", "One",
                "--no-static", "--segment-duration", "4000", "--dvr-expiration", "3600", "--label", "team=news").ok();
        assertThat(put.out()).isEqualTo("stream 'cli/one' saved, version 1\n");

        JsonNode got = tributary("streams", "get", "cli/one", "--json").ok().json();
        assertThat(got.path("name").asText()).isEqualTo("cli/one");
        assertThat(got.path("title").asText()).isEqualTo("One");
        assertThat(got.path("inputs").get(0).path("url").asText()).isEqualTo("fake://one?size=320x180");
        assertThat(got.path("static").asBoolean(true)).isFalse();
        assertThat(got.path("segment_duration").asInt()).isEqualTo(4000);
        assertThat(got.path("dvr").path("expiration").asLong()).isEqualTo(3600);
        assertThat(got.path("labels").path("team").asText()).isEqualTo("news");
        assertThat(got.path("stats").path("status").asText()).isNotEmpty();

        Run yaml = tributary("streams", "get", "cli/one").ok();
        assertThat(yaml.lines().get(0)).startsWith("# version 1 ");
        assertThat(yaml.out()).contains("name: cli/one").contains("title: One").contains("segment_duration: 4000");

        // --merge changes one field and keeps the rest; the version grows
        assertThat(tributary("streams", "put", "cli/one", "--merge", "--title", "One again").ok().out())
                .isEqualTo("stream 'cli/one' saved, version 2\n");
        JsonNode merged = tributary("streams", "get", "cli/one", "--json").ok().json();
        assertThat(merged.path("title").asText()).isEqualTo("One again");
        assertThat(merged.path("segment_duration").asInt()).isEqualTo(4000);

        // an old version is refused with the API's 409 message
        Run stale = tributary("streams", "put", "cli/one", "--merge", "--title", "x", "--if-match", "1").fails(1);
        assertThat(stale.err()).isEqualTo("error: stream 'cli/one' was changed by someone else: version is 2, "
                + "If-Match asked for 1\n");
        assertThat(stale.out()).isEmpty();

        Run list = tributary("streams", "list", "-q", "cli/one").ok();
        assertThat(list.lines().get(0)).matches("NAME +STATUS +RUNNING_ON +GENERATION +BITRATE +CLIENTS +LAST_ERROR");
        assertThat(list.lines()).hasSize(2);
        assertThat(list.lines().get(1)).startsWith("cli/one  ");

        JsonNode restarted = tributary("streams", "restart", "cli/one", "--json").ok().json();
        assertThat(restarted.path("name").asText()).isEqualTo("cli/one");
        assertThat(tributary("streams", "restart", "cli/one").ok().out()).isEqualTo("stream 'cli/one' restart requested\n");

        assertThat(tributary("streams", "delete", "cli/one", "--if-match", "1").fails(1).err())
                .contains("was changed by someone else");
        assertThat(tributary("streams", "delete", "cli/one", "--if-match", "2").ok().out())
                .isEqualTo("stream 'cli/one' deleted\n");
        Run gone = tributary("streams", "get", "cli/one").fails(1);
        assertThat(gone.err()).isEqualTo("error: stream 'cli/one' does not exist\n");
        assertThat(tributary("streams", "delete", "cli/one", "--json").fails(1).err())
                .isEqualTo("error: stream 'cli/one' does not exist\n");
    }

    @Test
    void putFromAYamlOrJsonFileAndTheApisValidationErrors() throws IOException {
        Path yaml = tmp.resolve("file.yaml");
        Files.writeString(yaml, """
                title: From a file
                static: false
                inputs:
                  - url: fake://file
                    priority: 1
                  - url: udp://239.0.0.1:1234
                segment_count: 8
                """);
        tributary("streams", "put", "cli-file", "-f", yaml.toString(), "--title", "Flag wins").ok();
        JsonNode got = tributary("streams", "get", "cli-file", "--json").ok().json();
        assertThat(got.path("title").asText()).isEqualTo("Flag wins");
        assertThat(got.path("inputs")).hasSize(2);
        assertThat(got.path("segment_count").asInt()).isEqualTo(8);

        // what `get --json` prints goes back in with -f (stats are read-only and dropped), here as a copy
        Path json = tmp.resolve("file.json");
        Files.writeString(json, tributary("streams", "get", "cli-file", "--json").ok().out());
        JsonNode copy = tributary("streams", "put", "cli-copy", "-f", json.toString(), "--json").ok().json();
        assertThat(copy.path("name").asText()).isEqualTo("cli-copy");
        assertThat(copy.path("inputs")).isEqualTo(got.path("inputs"));

        Run bad = tributary("streams", "put", "cli-bad", "--input", "ftp://camera/1").fails(1);
        assertThat(bad.err()).startsWith("error: url scheme 'ftp' is not supported; allowed: ")
                .endsWith(" (field: inputs[0].url)\n");
        assertThat(tributary("streams", "put", "cli-bad", "--input", "fake://x", "--segment-duration", "10").fails(1).err())
                .isEqualTo("error: segment_duration must be between 500 and 60000, got 10 (field: segment_duration)\n");
        assertThat(tributary("streams", "put", "cli-bad").fails(1).err())
                .isEqualTo("error: a stream needs at least one input (field: inputs)\n");
        assertThat(tributary("streams", "get", "bad name").fails(1).err()).contains("(field: name)");

        // a typo in the file is caught before the API is called: a usage error
        Files.writeString(yaml, "inputs: [{url: fake://x}]\nsegment_cont: 8\n");
        Run typo = tributary("streams", "put", "cli-bad", "-f", yaml.toString()).fails(2);
        assertThat(typo.err()).contains("segment_cont").contains("(field: segment_cont)");
        assertThat(tributary("streams", "get", "cli-bad").fails(1).err()).contains("does not exist");
    }

    @Test
    void listFollowsPagesAndLimitGivesACursor() {
        for (String n : List.of("page-a", "page-b", "page-c")) {
            tributary("streams", "put", n, "--input", "fake://" + n, "--disabled").ok();
        }
        JsonNode all = tributary("streams", "list", "-q", "page-", "--json").ok().json();
        assertThat(all.path("streams")).extracting(s -> s.path("name").asText()).containsExactly("page-a", "page-b", "page-c");
        assertThat(all.path("streams").get(0).path("stats").path("status").asText()).isEqualTo("stopped");
        assertThat(all.has("next")).isTrue();
        assertThat(all.path("next").isNull()).isTrue();

        JsonNode first = tributary("streams", "list", "-q", "page-", "--limit", "2", "--json").ok().json();
        assertThat(first.path("streams")).hasSize(2);
        String cursor = first.path("next").asText();
        assertThat(cursor).isNotEmpty();
        JsonNode rest = tributary("streams", "list", "-q", "page-", "--cursor", cursor, "--json").ok().json();
        assertThat(rest.path("streams")).extracting(s -> s.path("name").asText()).containsExactly("page-c");

        Run table = tributary("streams", "list", "-q", "page-", "--limit", "2").ok();
        assertThat(table.lines()).hasSize(4);
        assertThat(table.lines().get(1)).matches("page-a +stopped +- +.*");
        assertThat(table.lines().get(3)).isEqualTo("(more: --cursor " + cursor + ")");

        Run watch = tributary("streams", "list", "-q", "page-", "--watch", "0.1", "--watch-count", "3").ok();
        assertThat(watch.lines().stream().filter(l -> l.startsWith("NAME "))).hasSize(3);
        assertThat(watch.lines().stream().filter(l -> l.startsWith("page-b "))).hasSize(3);
    }

    @Test
    void serversListGetDrainUndrain() {
        assertThat(cluster.api().put("/api/v1/servers/cli-edge-1", "{\"api_url\":\"http://127.0.0.1:9\","
                + "\"public_payload_url\":\"http://127.0.0.1:9\",\"roles\":[\"edge\"]}").status()).isEqualTo(200);

        Run list = tributary("servers", "list").ok();
        assertThat(list.lines().get(0)).matches("HOSTNAME +STATUS +SCHEDULABLE +ROLES +STREAMS +CPU +OUTPUT +CLIENTS +LAST_SEEN");
        assertThat(list.lines()).anySatisfy(l -> assertThat(l).matches("cli-edge-1 +down +eligible +edge +- +- +- +- +never"));
        JsonNode listJson = tributary("servers", "list", "--json").ok().json();
        assertThat(listJson.path("servers")).anySatisfy(s -> assertThat(s.path("hostname").asText()).isEqualTo("cli-edge-1"));

        JsonNode got = tributary("servers", "get", "cli-edge-1", "--json").ok().json();
        assertThat(got.path("status").asText()).isEqualTo("down");
        assertThat(got.path("roles")).extracting(JsonNode::asText).containsExactly("edge");
        assertThat(tributary("servers", "get", "cli-edge-1").ok().out()).contains("hostname: cli-edge-1")
                .contains("schedulable: eligible");

        assertThat(tributary("servers", "drain", "cli-edge-1").ok().out())
                .isEqualTo("server 'cli-edge-1' is draining: its captures move to other servers\n");
        assertThat(tributary("servers", "get", "cli-edge-1", "--json").ok().json().path("schedulable").asText())
                .isEqualTo("draining");
        assertThat(tributary("servers", "undrain", "cli-edge-1", "--json").ok().json().path("schedulable").asText())
                .isEqualTo("eligible");
        assertThat(tributary("servers", "undrain", "cli-edge-1").ok().out())
                .isEqualTo("server 'cli-edge-1' is eligible for captures again\n");
        assertThat(tributary("servers", "drain", "--json", "cli-edge-1").ok().json().path("schedulable").asText())
                .isEqualTo("draining");

        Run missing = tributary("servers", "drain", "nope").fails(1);
        assertThat(missing.err()).isEqualTo("error: server 'nope' does not exist\n");
        assertThat(tributary("servers", "get", "nope").fails(1).err()).isEqualTo("error: server 'nope' does not exist\n");
    }

    @Test
    void eventsTableJsonAndFollow() {
        tributary("streams", "put", "ev-one", "--input", "fake://ev", "--disabled").ok();
        tributary("streams", "put", "ev-one", "--merge", "--title", "changed").ok();

        Run table = tributary("events", "--stream", "ev-one").ok();
        assertThat(table.lines().get(0)).matches("TIME +TYPE +STREAM +SERVER +GENERATION +MESSAGE");
        assertThat(table.lines()).hasSize(3);
        assertThat(table.lines().get(1)).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ +stream_created +ev-one +- +- +stream created");
        assertThat(table.lines().get(2)).contains("stream_updated");

        JsonNode page = tributary("events", "--stream", "ev-one", "--limit", "1", "--json").ok().json();
        assertThat(page.path("events")).hasSize(1);
        JsonNode newest = page.path("events").get(0);
        assertThat(newest.path("type").asText()).isEqualTo("stream_updated");
        assertThat(newest.path("stream").asText()).isEqualTo("ev-one");
        assertThat(newest.path("id").isNumber()).isTrue();
        assertThat(newest.path("time").asText()).endsWith("Z");
        long next = page.path("next").asLong();
        JsonNode older = tributary("events", "--stream", "ev-one", "--before", Long.toString(next), "--json").ok().json();
        assertThat(older.path("events")).extracting(e -> e.path("type").asText()).containsExactly("stream_created");
        assertThat(tributary("events", "--since", "yesterday").fails(1).err())
                .isEqualTo("error: since must be an ISO-8601 time or UNIX seconds, got 'yesterday' (field: since)\n");

        // --follow prints what is there, then each new event as it comes
        ProcessHolder follow = launch(admin(), null, "events", "--follow", "--stream", "ev-follow", "--interval", "0.2",
                "--follow-count", "2", "--follow-timeout", "60");
        await("events --follow printed its header").atMost(TIMEOUT).until(() -> follow.outSoFar().startsWith("TIME "));
        tributary("streams", "put", "ev-follow", "--input", "fake://f", "--disabled").ok();
        tributary("streams", "delete", "ev-follow").ok();
        Run followed = follow.await(TIMEOUT).ok();
        assertThat(followed.lines()).hasSize(3);
        assertThat(followed.lines().get(1)).contains("stream_created").contains("ev-follow");
        assertThat(followed.lines().get(2)).contains("stream_deleted");
        assertThat(followed.lines().get(2).indexOf("stream_deleted")).isEqualTo(followed.lines().get(0).indexOf("TYPE"));

        // with --json: the existing events first, then new ones, one JSON object per line
        tributary("streams", "put", "ev-json", "--input", "fake://j", "--disabled").ok();
        ProcessHolder followJson = launch(admin(), null, "events", "--follow", "--json", "--stream", "ev-json",
                "--interval", "0.2", "--follow-count", "1", "--follow-timeout", "60");
        await("events --follow --json printed the existing event").atMost(TIMEOUT)
                .until(() -> followJson.outSoFar().lines().count() == 1);
        tributary("streams", "delete", "ev-json").ok();
        Run jsonLines = followJson.await(TIMEOUT).ok();
        assertThat(jsonLines.lines()).hasSize(2);
        List<JsonNode> events = new ArrayList<>();
        for (String line : jsonLines.lines()) {
            try {
                events.add(JSON.readTree(line));
            } catch (IOException ex) {
                throw new AssertionError("not one JSON object per line:\n" + jsonLines.out(), ex);
            }
        }
        assertThat(events).extracting(e -> e.path("type").asText()).containsExactly("stream_created", "stream_deleted");
        assertThat(events).allSatisfy(e -> assertThat(e.path("stream").asText()).isEqualTo("ev-json"));
        assertThat(events.get(1).path("id").asLong()).isGreaterThan(events.get(0).path("id").asLong());

        Run timedOut = tributary("events", "--follow", "--type", "no_such_type", "--interval", "0.1", "--follow-count", "1",
                "--follow-timeout", "0.5").fails(1);
        assertThat(timedOut.err()).isEqualTo("error: 0 of 1 events came within 0.5 s\n");
        assertThat(timedOut.lines()).containsExactly(
                String.format("%-22s%-18s%-18s%-14s%-12s%s", "TIME", "TYPE", "STREAM", "SERVER", "GENERATION", "MESSAGE"));
        tributary("events", "--follow", "--type", "no_such_type", "--interval", "0.1", "--follow-timeout", "0.3").ok();
    }

    @Test
    void clusterStatus() {
        Run text = tributary("cluster", "status").ok();
        assertThat(text.lines()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(text.lines().get(0)).matches("servers: \\d+ total, \\d+ up, \\d+ down, \\d+ draining.*");
        assertThat(text.lines().get(1)).matches("streams: \\d+ total, \\d+ running, \\d+ starting, \\d+ waiting, "
                + "\\d+ error, \\d+ stopped.*");
        JsonNode json = tributary("cluster", "status", "--json").ok().json();
        assertThat(json.path("servers").isObject()).isTrue();
        assertThat(json.path("streams").isObject()).isTrue();

        Run watch = tributary("cluster", "status", "--watch", "0.1", "--watch-count", "2").ok();
        assertThat(watch.lines().stream().filter(l -> l.startsWith("servers: "))).hasSize(2);
        Run watchJson = tributary("cluster", "status", "--watch", "0.1", "--watch-count", "2", "--json").ok();
        assertThat(watchJson.lines()).hasSize(2).allSatisfy(l -> assertThat(l).startsWith("{\"servers\":"));
    }

    @Test
    void tokensAndAViewerThatCannotWrite() {
        String secret = tributary("tokens", "create", "cli-viewer", "--role", "viewer", "-q").ok().out().strip();
        assertThat(secret).startsWith("trb_");

        JsonNode admin2 = tributary("tokens", "create", "cli-admin", "--role", "admin", "--json").ok().json();
        assertThat(admin2.path("name").asText()).isEqualTo("cli-admin");
        assertThat(admin2.path("role").asText()).isEqualTo("admin");
        assertThat(admin2.path("token").asText()).startsWith("trb_");
        assertThat(admin2.path("id").isNumber()).isTrue();
        Run human = tributary("tokens", "create", "cli-human").ok();
        assertThat(human.lines().get(0)).matches("token 'cli-human' \\(viewer\\) created with id \\d+");
        assertThat(human.lines().get(1)).startsWith("secret: trb_");

        Run list = tributary("tokens", "list").ok();
        assertThat(list.lines().get(0)).matches("ID +NAME +ROLE +CREATED +LAST_USED");
        assertThat(list.lines()).anySatisfy(l -> assertThat(l).matches("\\d+ +cli-viewer +viewer +\\d{4}-.* +never"));
        assertThat(list.out()).doesNotContain(secret);
        JsonNode listJson = tributary("tokens", "list", "--json").ok().json();
        assertThat(listJson.path("tokens")).anySatisfy(t -> assertThat(t.path("name").asText()).isEqualTo("cli-viewer"))
                .allSatisfy(t -> assertThat(t.has("token")).isFalse());

        // a viewer reads, and is refused every write with the API's 403 message
        tributary(as(secret), "streams", "list").ok();
        tributary(as(secret), "cluster", "status", "--json").ok();
        Run write = tributary(as(secret), "streams", "put", "cli-viewer-write", "--input", "fake://v").fails(1);
        assertThat(write.err()).isEqualTo("error: this needs the admin role; your token has the viewer role\n");
        assertThat(write.out()).isEmpty();
        assertThat(tributary(as(secret), "servers", "drain", "any").fails(1).err()).contains("admin role");
        assertThat(tributary(as(secret), "tokens", "list").fails(1).err()).contains("admin role");

        // revoked: the token stops working at once
        long id = admin2.path("id").asLong();
        assertThat(tributary("tokens", "revoke", Long.toString(id)).ok().out()).isEqualTo("token " + id + " revoked\n");
        Run revoked = tributary(as(admin2.path("token").asText()), "streams", "list").fails(1);
        assertThat(revoked.err()).isEqualTo("error: a valid bearer token is required\n");
        assertThat(tributary("tokens", "revoke", Long.toString(id)).fails(1).err())
                .isEqualTo("error: no active token with id " + id + "\n");
        assertThat(tributary("tokens", "create", " ", "--role", "admin").fails(1).err())
                .isEqualTo("error: name is required, at most 128 characters (field: name)\n");
    }

    @Test
    void connectionSettingsAndTheirErrors() throws IOException {
        // no token at all: 401 with a hint
        Run noToken = tributary(Map.of("TRIBUTARY_URL", cluster.url()), "streams", "list").fails(1);
        assertThat(noToken.err()).startsWith("error: a valid bearer token is required (no token given: use --token");

        // flags win over the environment
        tributary(Map.of("TRIBUTARY_URL", "http://127.0.0.1:1", "TRIBUTARY_TOKEN", "wrong"), "cluster", "status",
                "--url", cluster.url(), "--token", cluster.adminToken()).ok();

        // the config file in the home folder
        Path home = Files.createTempDirectory(tmp, "home-");
        Files.createDirectories(home.resolve(".config/tributary"));
        Files.writeString(home.resolve(".config/tributary/config"),
                "url=" + cluster.url() + "\ntoken=" + cluster.adminToken() + "\n");
        Run fromFile = launch(Map.of(), home, "cluster", "status", "--json").await(TIMEOUT).ok();
        assertThat(fromFile.json().path("streams").isObject()).isTrue();

        // nothing listens: a clear message and exit 1
        int port = ClusterHarness.freePort();
        Run down = tributary(Map.of("TRIBUTARY_URL", "http://127.0.0.1:" + port, "TRIBUTARY_TOKEN", "x"), "streams", "list")
                .fails(1);
        assertThat(down.err()).isEqualTo("error: cannot reach the control plane at http://127.0.0.1:" + port
                + " (URL from TRIBUTARY_URL): connection refused\n");

        // usage errors: exit 2, nothing sent
        assertThat(tributary("streams", "lst").fails(2).err()).contains("Did you mean: streams list");
        assertThat(tributary("streams", "put").fails(2).err()).contains("Missing required parameter: 'NAME'");
        assertThat(tributary("tokens", "create", "x", "--role", "root").fails(2).err()).contains("viewer, admin");
        assertThat(tributary("events", "--limit", "5000").fails(2).err()).contains("--limit must be between 1 and 1000");
        assertThat(tributary().fails(2).err()).startsWith("error: 'tributary' needs a command: streams, servers, events");
    }

    @Test
    void completionAndHelp() {
        Run bash = tributary(Map.of(), "completion", "bash").ok();
        assertThat(bash.out()).startsWith("#!/usr/bin/env bash").contains("complete -F").contains("undrain");
        assertThat(tributary(Map.of(), "--help").ok().out()).contains("streams").contains("TRIBUTARY_URL");
        assertThat(tributary(Map.of(), "streams", "put", "--help").ok().out()).contains("--if-match");
        assertThat(tributary(Map.of(), "--version").ok().out()).startsWith("tributary ");
    }

    @Test
    void packagedLauncherRunsCommandsWithTheirExitCodes() {
        assertThat(tributaryProcess(Map.of(), "--version").ok().out()).startsWith("tributary ");
        Run list = tributaryProcess(admin(), "streams", "list", "--json");
        list.ok();
        assertThat(list.out()).contains("\"streams\"");
        tributaryProcess(admin(), "streams", "frobnicate").fails(2);
        Run missing = tributaryProcess(admin(), "streams", "get", "no-such-stream-launcher");
        missing.fails(1);
        assertThat(missing.err()).contains("error:").contains("does not exist");
    }
}
