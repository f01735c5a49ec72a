package io.tributary.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.Test;

/** The migrations build the whole schema on an empty database, and a second run changes nothing. */
@QuarkusTest
class MigrationTest {
    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String url;

    @ConfigProperty(name = "quarkus.datasource.username")
    String user;

    @Test
    void migratesAnEmptyDatabase() throws Exception {
        String server = url.substring(0, url.lastIndexOf('/'));
        String db = "tributary_migration_" + ProcessHandle.current().pid();
        try (Connection c = DriverManager.getConnection(server + "/postgres", user, ""); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + db);
            st.execute("CREATE DATABASE " + db);
        }
        try {
            Flyway flyway = Flyway.configure().dataSource(server + "/" + db, user, "").locations("classpath:db/migration").load();
            MigrateResult first = flyway.migrate();
            assertThat(first.migrationsExecuted).isGreaterThanOrEqualTo(1);
            assertThat(flyway.migrate().migrationsExecuted).isZero();
            List<String> tables = new ArrayList<>();
            try (Connection c = DriverManager.getConnection(server + "/" + db, user, "");
                    ResultSet rs = c.createStatement().executeQuery(
                            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            assertThat(tables).contains("streams", "servers", "assignments", "events", "api_tokens", "server_reports",
                    "stream_reports", "config_epoch");
        } finally {
            try (Connection c = DriverManager.getConnection(server + "/postgres", user, ""); Statement st = c.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
            }
        }
    }
}
