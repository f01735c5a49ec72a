package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
    @TempDir
    Path home;

    private CliEnvironment env(Map<String, String> vars) {
        return CliRun.env(vars, home, Clock.systemUTC());
    }

    private void configFile(String text) throws IOException {
        Path f = home.resolve(".config/tributary/config");
        Files.createDirectories(f.getParent());
        Files.writeString(f, text);
    }

    @Test
    void defaultIsLoopbackWithoutAToken() {
        Settings s = Settings.resolve(null, null, env(Map.of()));
        assertThat(s.url()).hasToString("http://127.0.0.1:8080");
        assertThat(s.token()).isNull();
        assertThat(s.urlSource()).isEqualTo("the default");
    }

    @Test
    void flagsWinOverEnvironmentWhichWinsOverTheConfigFile() throws IOException {
        configFile("url=http://from-file:1\ntoken=file-token\n");
        Map<String, String> vars = Map.of("TRIBUTARY_URL", "http://from-env:2/", "TRIBUTARY_TOKEN", "env-token");

        assertThat(Settings.resolve(null, null, env(Map.of())))
                .extracting(s -> s.url().toString(), Settings::token).containsExactly("http://from-file:1", "file-token");
        assertThat(Settings.resolve(null, null, env(vars)))
                .extracting(s -> s.url().toString(), Settings::token).containsExactly("http://from-env:2", "env-token");
        assertThat(Settings.resolve("https://from-flag:3", "flag-token", env(vars)))
                .extracting(s -> s.url().toString(), Settings::token).containsExactly("https://from-flag:3", "flag-token");
    }

    @Test
    void emptyEnvironmentVariablesCountAsUnset() throws IOException {
        configFile("token=file-token\n");
        Settings s = Settings.resolve(null, null, env(Map.of("TRIBUTARY_TOKEN", "", "TRIBUTARY_URL", " ")));
        assertThat(s.token()).isEqualTo("file-token");
        assertThat(s.url()).hasToString(Settings.DEFAULT_URL);
    }

    @Test
    void xdgConfigHomeMovesTheConfigFile() throws IOException {
        Path xdg = home.resolve("xdg");
        Files.createDirectories(xdg.resolve("tributary"));
        Files.writeString(xdg.resolve("tributary/config"), "url=http://xdg:9\n");
        Settings s = Settings.resolve(null, null, env(Map.of("XDG_CONFIG_HOME", xdg.toString())));
        assertThat(s.url()).hasToString("http://xdg:9");
        assertThat(s.urlSource()).contains(xdg.resolve("tributary/config").toString());
    }

    @Test
    void hostAndPortMeanHttp() {
        assertThat(Settings.resolve("cp.example:8080", null, env(Map.of())).url()).hasToString("http://cp.example:8080");
    }

    @Test
    void aUrlThatIsNotHttpIsAUsageError() {
        assertThatThrownBy(() -> Settings.resolve("ftp://x", null, env(Map.of())))
                .isInstanceOf(UsageException.class).hasMessageContaining("ftp://x").hasMessageContaining("--url");
        assertThatThrownBy(() -> Settings.resolve(null, null, env(Map.of("TRIBUTARY_URL", "http://a b"))))
                .isInstanceOf(UsageException.class).hasMessageContaining("TRIBUTARY_URL");
    }
}
