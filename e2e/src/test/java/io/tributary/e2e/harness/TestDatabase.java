package io.tributary.e2e.harness;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fresh database on the PostgreSQL that the test command found or started
 * (TRIBUTARY_TEST_DB_URL), dropped again on close.
 */
public final class TestDatabase implements AutoCloseable {
    private static final Pattern JDBC = Pattern.compile("jdbc:postgresql://([^:/]+)(?::(\\d+))?/([^?]*).*");

    private final String host;
    private final int port;
    private final String user;
    private final String name;

    private TestDatabase(String host, int port, String user, String name) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.name = name;
    }

    public static TestDatabase create(String prefix) {
        return create(prefix, env("TRIBUTARY_TEST_DB_URL", "jdbc:postgresql://127.0.0.1:5432/tributary_test"));
    }

    /** A fresh database on the server of {@code url} (any database name in it is ignored). */
    public static TestDatabase create(String prefix, String url) {
        Matcher m = JDBC.matcher(url);
        if (!m.matches()) {
            throw new IllegalStateException("TRIBUTARY_TEST_DB_URL is not a PostgreSQL JDBC URL: " + url);
        }
        String name = prefix + "_" + ProcessHandle.current().pid() + "_" + Long.toHexString(System.nanoTime() & 0xffffff);
        TestDatabase db = new TestDatabase(m.group(1), m.group(2) == null ? 5432 : Integer.parseInt(m.group(2)),
                env("TRIBUTARY_TEST_DB_USER", "postgres"), name);
        db.admin("DROP DATABASE IF EXISTS " + name);
        db.admin("CREATE DATABASE " + name);
        return db;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + name;
    }

    public String user() {
        return user;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), user, "");
    }

    private void admin(String sql) {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/postgres", user, "");
                Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + host + ":" + port + ": " + sql + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (IllegalStateException ignored) {
            // best effort: a leftover test database does no harm
        }
    }

    private static String env(String key, String dflt) {
        String v = System.getenv(key);
        return v == null || v.isBlank() ? dflt : v;
    }
}
