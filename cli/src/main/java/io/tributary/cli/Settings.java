package io.tributary.cli;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Where the CLI connects and with which token: {@code --url}/{@code --token}, else
 * {@code TRIBUTARY_URL}/{@code TRIBUTARY_TOKEN}, else the config file
 * ({@code $XDG_CONFIG_HOME/tributary/config} or {@code ~/.config/tributary/config}, properties
 * {@code url=} and {@code token=}), else http://127.0.0.1:8080 without a token.
 *
 * @param urlSource where the URL came from, for error messages
 */
public record Settings(URI url, String token, String urlSource, String tokenSource) {
    public static final String DEFAULT_URL = "http://127.0.0.1:8080";

    /** Resolves the settings; an unusable URL or an unreadable config file is a {@link UsageException}. */
    public static Settings resolve(String urlFlag, String tokenFlag, CliEnvironment env) {
        Path file = configFile(env);
        Properties props = new Properties();
        if (Files.isRegularFile(file)) {
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                props.load(r);
            } catch (IOException | IllegalArgumentException e) {
                throw new UsageException("cannot read the config file " + file + ": " + e.getMessage());
            }
        }
        String url;
        String urlSource;
        if (blankToNull(urlFlag) != null) {
            url = urlFlag.trim();
            urlSource = "--url";
        } else if (env.get("TRIBUTARY_URL") != null) {
            url = env.get("TRIBUTARY_URL");
            urlSource = "TRIBUTARY_URL";
        } else if (blankToNull(props.getProperty("url")) != null) {
            url = props.getProperty("url").trim();
            urlSource = "url= in " + file;
        } else {
            url = DEFAULT_URL;
            urlSource = "the default";
        }
        String token;
        String tokenSource;
        if (blankToNull(tokenFlag) != null) {
            token = tokenFlag.trim();
            tokenSource = "--token";
        } else if (env.get("TRIBUTARY_TOKEN") != null) {
            token = env.get("TRIBUTARY_TOKEN");
            tokenSource = "TRIBUTARY_TOKEN";
        } else if (blankToNull(props.getProperty("token")) != null) {
            token = props.getProperty("token").trim();
            tokenSource = "token= in " + file;
        } else {
            token = null;
            tokenSource = null;
        }
        return new Settings(parseUrl(url, urlSource), token, urlSource, tokenSource);
    }

    /** The config file this environment reads (it need not exist). */
    public static Path configFile(CliEnvironment env) {
        String xdg = env.get("XDG_CONFIG_HOME");
        Path base = xdg != null && xdg.startsWith("/") ? Path.of(xdg) : env.home().resolve(".config");
        return base.resolve("tributary").resolve("config");
    }

    /** Accepts {@code http(s)://host[:port][/prefix]}, or {@code host:port} meaning http. */
    static URI parseUrl(String url, String source) {
        String s = url.contains("://") ? url : "http://" + url;
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        try {
            URI u = new URI(s);
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                throw new UsageException("the control plane URL '" + url + "' (from " + source
                        + ") must be http:// or https:// with a host");
            }
            return u;
        } catch (URISyntaxException e) {
            throw new UsageException("the control plane URL '" + url + "' (from " + source + ") is not a URL: "
                    + e.getReason());
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
