package io.tributary.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.e2e.harness.Api;
import io.tributary.e2e.harness.ClusterHarness;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The admin UI in real headless Chromium (Debian's chromium and chromedriver) against the
 * packaged control plane and two real agents: sign in, servers, a stream refused then created,
 * played, a drain, and a failover after kill -9 of an agent. No browser console errors allowed.
 * Screenshots of every step go to target/screenshots/ (the failing step's as FAILED-*.png).
 */
class AdminUiTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SHOTS = Path.of("target", "screenshots");
    private static final Duration STEP = Duration.ofSeconds(30);
    private static final String STREAM = "ui";

    private ChromeDriver driver;
    private final List<String> console = new ArrayList<>();
    private int shot;

    @Test
    void operatorDrivesTheClusterFromTheBrowser() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "skipped: the browser test needs /usr/bin/chromium and /usr/bin/chromedriver "
                        + "(apt-get install -y chromium chromium-driver; ops/test installs them when it can)");
        Files.createDirectories(SHOTS);
        Path profile = Files.createTempDirectory("tributary-ui-chromium-");
        try (ClusterHarness cluster = ClusterHarness.start(2)) {
            driver = startBrowser(profile);
            try {
                run(cluster);
            } catch (Throwable t) {
                screenshot("FAILED");
                Files.writeString(SHOTS.resolve("FAILED-page.html"), String.valueOf(driver.getPageSource()));
                throw new AssertionError(t.getMessage() + "\nbrowser console:\n" + String.join("\n", drainConsole())
                        + "\n" + cluster.logs(), t);
            } finally {
                driver.quit();
            }
        } finally {
            deleteTree(profile);
        }
    }

    private void run(ClusterHarness cluster) throws Exception {
        Api api = cluster.api();
        String base = cluster.url();

        // Signed out: any page sends us to sign-in; a wrong token is refused next to the field.
        driver.get(base + "/");
        WebElement token = waitFor(By.id("token"));
        assertThat(driver.getTitle()).contains("Tributary");
        token.sendKeys("not-a-token");
        driver.findElement(By.cssSelector("#login button[type=submit]")).click();
        step("wrong token refused", () -> visibleText(By.id("token-error")).contains("not a valid API token"));
        token.clear();
        token.sendKeys(cluster.adminToken());
        driver.findElement(By.cssSelector("#login button[type=submit]")).click();

        // Cluster page: both servers up.
        for (var agent : cluster.agents()) {
            step("server " + agent.hostname() + " listed up",
                    () -> attr(By.cssSelector("tr[data-server='" + agent.hostname() + "']"), "data-status").equals("up"));
        }
        assertThat(driver.findElement(By.cssSelector("header.top")).getText()).contains("Tributary").contains("admin");
        assertThat((Boolean) js("return document.cookie.includes('tributary_session')"))
                .as("the session cookie is HttpOnly").isFalse();
        screenshot("cluster");

        // New stream with an input the API refuses: the message sits next to that input.
        driver.get(base + "/streams.html");
        waitFor(By.id("new-stream")).click();
        waitFor(By.id("name")).sendKeys(STREAM);
        WebElement url = waitFor(By.cssSelector("[data-field='inputs[0].url']"));
        url.sendKeys("gopher://x");
        driver.findElement(By.id("save")).click();
        By urlError = By.id(url.getAttribute("id") + "-error");
        step("error next to the input URL", () -> visibleText(urlError).contains("gopher"));
        assertThat(url.getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(api.get("/api/v1/streams/" + STREAM).status()).as("nothing stored").isEqualTo(404);
        screenshot("stream-invalid-input");

        // The same form, now valid: the stream page shows it running and plays it.
        url.clear();
        url.sendKeys("fake://ui?size=320x180");
        driver.findElement(By.id("save")).click();
        step("stream page", () -> driver.getCurrentUrl().contains("/stream.html?name=" + STREAM));
        step("stream running", () -> attr(By.id("stream-status"), "data-status").equals("running"));
        double t0 = await("video plays").atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(300))
                .until(this::currentTime, t -> t > 1.0);
        await("video keeps playing").atMost(STEP).pollInterval(Duration.ofMillis(300))
                .until(this::currentTime, t -> t > t0 + 1.5);
        boolean balancer = balancerAnswers(base);
        assertThat(driver.findElement(By.id("player-source")).getText())
                .contains(balancer ? "through the balancer" : "straight from worker-");
        step("media info shown", () -> driver.findElements(By.cssSelector("#tracks tbody tr[data-key]")).size() >= 1);
        screenshot("stream-playing");

        driver.get(base + "/streams.html?q=u");
        step("stream listed running", () -> attr(By.cssSelector("tr[data-stream='" + STREAM + "']"), "data-status").equals("running"));
        screenshot("streams");

        // Drain the server that captures the stream: it is marked draining and the stream moves.
        String first = runningOn(api);
        String other = cluster.agents().stream().map(ClusterHarness.Agent::hostname).filter(h -> !h.equals(first))
                .findFirst().orElseThrow();
        driver.get(base + "/");
        waitFor(By.cssSelector("button[data-action='drain'][data-host='" + first + "']")).click();
        step(first + " marked draining", () -> attr(By.cssSelector("tr[data-server='" + first + "']"), "data-schedulable").equals("draining")
                && text(By.cssSelector("tr[data-server='" + first + "'] td.status")).contains("draining"));
        screenshot("cluster-draining");
        await("stream moved to " + other).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> runningOn(api), other::equals);
        waitFor(By.cssSelector("button[data-action='undrain'][data-host='" + first + "']")).click();
        step(first + " eligible again", () -> attr(By.cssSelector("tr[data-server='" + first + "']"), "data-schedulable").equals("eligible"));

        // Kill -9 the server that now captures it: the UI shows it down and the failover, with its duration.
        cluster.agent(other).process().kill9();
        step(other + " shown down", () -> attr(By.cssSelector("tr[data-server='" + other + "']"), "data-status").equals("down"));
        screenshot("cluster-server-down");
        driver.get(base + "/events.html?type=failover");
        step("failover on the events page", () -> {
            List<WebElement> rows = driver.findElements(By.cssSelector("#events tbody tr[data-type='failover']"));
            return !rows.isEmpty() && rows.get(0).getText().contains(STREAM) && rows.get(0).getText().contains(first);
        });
        screenshot("events-failover");
        driver.get(base + "/stream.html?name=" + STREAM);
        step("failover with duration on the stream page", () -> {
            List<WebElement> rows = driver.findElements(By.cssSelector("#events tbody tr[data-type='failover']"));
            return !rows.isEmpty() && rows.get(0).findElements(By.cssSelector("td.num")).get(1).getText().matches(".*\\d.*s");
        });
        step("stream running again on " + first, () -> attr(By.id("stream-status"), "data-status").equals("running")
                && text(By.cssSelector("[data-fact='Running on']")).equals(first));
        double t1 = await("video plays after the failover").atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(300))
                .until(this::currentTime, t -> t > 1.0);
        await("video keeps playing after the failover").atMost(STEP).pollInterval(Duration.ofMillis(300))
                .until(this::currentTime, t -> t > t1 + 1.0);
        screenshot("stream-after-failover");

        // Edit: a ladder rung the API refuses shows its message at that rung; then a valid change saves.
        waitFor(By.id("edit")).click();
        waitFor(By.id("add-rung")).click();
        WebElement bitrate = waitFor(By.cssSelector("[data-field='transcoder.video[0].bitrate']"));
        bitrate.sendKeys("5");
        driver.findElement(By.id("save")).click();
        step("error next to the rung's bitrate",
                () -> visibleText(By.id(bitrate.getAttribute("id") + "-error")).contains("bitrate must be between"));
        screenshot("edit-invalid-rung");
        driver.findElement(By.cssSelector("[data-remove='rung']")).click();
        WebElement title = driver.findElement(By.id("title"));
        title.clear();
        title.sendKeys("Lobby camera");
        driver.findElement(By.id("save")).click();
        step("title saved", () -> driver.getCurrentUrl().contains("/stream.html") && text(By.id("stream-title")).equals("Lobby camera"));
        assertThat(api.get("/api/v1/streams/" + STREAM).json().path("inputs").get(0).path("url").asText())
                .as("the edit kept the input").isEqualTo("fake://ui?size=320x180");

        // The layout holds on a phone.
        driver.manage().window().setSize(new Dimension(390, 844));
        driver.get(base + "/");
        waitFor(By.cssSelector("tr[data-server='" + first + "']"));
        Long overflow = (Long) js("return document.documentElement.scrollWidth - document.documentElement.clientWidth");
        assertThat(overflow).as("no horizontal scrolling on a phone").isLessThanOrEqualTo(0L);
        screenshot("phone-cluster");
        driver.get(base + "/stream.html?name=" + STREAM);
        step("phone stream page", () -> attr(By.id("stream-status"), "data-status").equals("running"));
        screenshot("phone-stream");

        // Sign out: the cookie is gone and pages ask for a token again.
        driver.manage().window().setSize(new Dimension(1366, 900));
        waitFor(By.id("sign-out")).click();
        waitFor(By.id("token"));
        driver.get(base + "/streams.html");
        waitFor(By.id("token")).sendKeys(viewerToken(api));

        // A viewer sees the same pages without the buttons that change things.
        driver.findElement(By.cssSelector("#login button[type=submit]")).click();
        step("viewer sees the streams", () -> driver.getCurrentUrl().endsWith("/streams.html")
                && attr(By.cssSelector("tr[data-stream='" + STREAM + "']"), "data-status").equals("running"));
        assertThat(text(By.id("role"))).contains("viewer");
        assertThat(driver.findElement(By.id("new-stream")).isDisplayed()).isFalse();
        driver.get(base + "/");
        waitFor(By.cssSelector("tr[data-server='" + first + "']"));
        assertThat(driver.findElements(By.cssSelector("button[data-action]")).stream().noneMatch(WebElement::isDisplayed))
                .as("no drain buttons for a viewer").isTrue();
        screenshot("viewer-cluster");
        waitFor(By.id("sign-out")).click();
        waitFor(By.id("token"));

        List<String> all = drainConsole();
        System.out.println("browser console errors seen (" + all.size() + "):\n  " + String.join("\n  ", all));
        List<String> errors = all.stream().filter(e -> !expected(e, balancer)).toList();
        assertThat(errors).as("browser console errors").isEmpty();
    }

    /**
     * Errors the flow causes on purpose: the wrong token's 401, the invalid stream's 400, and,
     * while the control plane has no balancer yet, the player's one probe of /lb/ (404) before it
     * plays straight from the agent.
     */
    private static boolean expected(String entry, boolean balancer) {
        return entry.contains("favicon")
                || entry.contains("/ui/session") && entry.contains("401")
                || entry.contains("/api/v1/streams/" + STREAM + " - Failed to load resource: the server responded with a status of 400")
                || !balancer && entry.contains("/lb/" + STREAM + "/index.m3u8") && entry.contains("404");
    }

    private static String viewerToken(Api api) {
        Api.Reply r = api.post("/api/v1/tokens", "{\"name\":\"ui-viewer\",\"role\":\"viewer\"}");
        assertThat(r.status()).as(r.body()).isBetween(200, 201);
        return r.json().path("token").asText();
    }

    private static boolean balancerAnswers(String base) {
        return Api.fetch(base + "/lb/" + STREAM + "/index.m3u8").status() == 302;
    }

    private static String runningOn(Api api) {
        JsonNode s = api.get("/api/v1/streams/" + STREAM).json().path("stats");
        return "running".equals(s.path("status").asText()) && s.path("running_on").size() == 1
                ? s.path("running_on").get(0).asText() : "";
    }

    // ---- browser ---------------------------------------------------------------------------------

    private static ChromeDriver startBrowser(Path profile) {
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--user-data-dir=" + profile, "--window-size=1366,900", "--autoplay-policy=no-user-gesture-required",
                "--mute-audio", "--disable-extensions", "--disable-default-apps");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeDriver d = new ChromeDriver(service, options);
        d.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        return d;
    }

    /** Every SEVERE console entry so far (the driver hands each entry out once, so keep them). */
    private List<String> drainConsole() {
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.SEVERE.intValue()) {
                console.add(e.getMessage());
            }
        }
        return console;
    }

    private void step(String what, Callable<Boolean> condition) {
        await(what).atMost(STEP).pollInterval(Duration.ofMillis(250))
                .ignoreExceptions().until(condition);
        drainConsole();
    }

    private WebElement waitFor(By by) {
        return await("element " + by).atMost(STEP).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> driver.findElement(by), WebElement::isDisplayed);
    }

    private String attr(By by, String name) {
        String v = driver.findElement(by).getAttribute(name);
        return v == null ? "" : v;
    }

    private String text(By by) {
        return driver.findElement(by).getText();
    }

    private String visibleText(By by) {
        WebElement e = driver.findElement(by);
        return e.isDisplayed() ? e.getText() : "";
    }

    private double currentTime() {
        Object t = js("const v = document.getElementById('player'); return v ? v.currentTime : 0;");
        return t instanceof Number n ? n.doubleValue() : 0;
    }

    private Object js(String script) {
        return ((JavascriptExecutor) driver).executeScript(script);
    }

    private void screenshot(String name) {
        try {
            byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
            Files.write(SHOTS.resolve(String.format("%02d-%s.png", ++shot, name)), png);
        } catch (RuntimeException | IOException e) {
            System.err.println("screenshot " + name + " failed: " + e);
        }
    }

    private static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException ignored) {
            // a temporary profile; the OS cleans /tmp
        }
    }
}
