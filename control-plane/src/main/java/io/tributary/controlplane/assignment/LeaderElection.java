package io.tributary.controlplane.assignment;

import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Chooses the one control-plane replica that schedules, through a PostgreSQL session advisory
 * lock held on a dedicated connection: when the leader dies, its connection closes and the lock
 * is free for another replica.
 */
@ApplicationScoped
public class LeaderElection {
    private static final Logger LOG = Logger.getLogger(LeaderElection.class);
    static final long LOCK_KEY = 0x7472_6962_7574L; // "tribut"

    private final AgroalDataSource dataSource;
    private final Clock clock;
    private Connection connection;
    private volatile Instant leaderSince;

    public LeaderElection(AgroalDataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    /** Whether this replica leads now; tries to become leader when it does not. */
    public synchronized boolean isLeader() {
        try {
            if (connection != null) {
                if (connection.isValid(1)) {
                    return true;
                }
                lost("connection to PostgreSQL lost");
            }
            Connection c = dataSource.getConnection();
            c.setAutoCommit(true);
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_try_advisory_lock(" + LOCK_KEY + ")")) {
                rs.next();
                if (rs.getBoolean(1)) {
                    connection = c;
                    leaderSince = Instant.now(clock);
                    LOG.info("this replica is now the scheduler leader");
                    return true;
                }
            }
            c.close();
            return false;
        } catch (SQLException e) {
            lost("PostgreSQL error: " + e.getMessage());
            return false;
        }
    }

    /** The application name of the replica that holds the lock (any replica can tell), or null. */
    public String currentLeader() {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                        + "WHERE l.locktype = 'advisory' AND l.granted "
                        // Advisory locks are per database: another cluster on the same server is not ours.
                        + "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                        + "AND ((l.classid::bigint << 32) | l.objid::bigint) = "
                        + LOCK_KEY + " LIMIT 1")) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            return null;
        }
    }

    public Instant leaderSince() {
        return leaderSince;
    }

    private void lost(String why) {
        if (connection != null) {
            LOG.warnf("lost scheduler leadership: %s", why);
            try {
                connection.close();
            } catch (SQLException ignored) {
                // the connection is already broken
            }
        }
        connection = null;
        leaderSince = null;
    }

    synchronized void onStop(@Observes ShutdownEvent ev) {
        if (connection != null) {
            try (Statement st = connection.createStatement()) {
                st.execute("SELECT pg_advisory_unlock(" + LOCK_KEY + ")");
            } catch (SQLException ignored) {
                // closing releases it anyway
            }
            lost("shutdown");
        }
    }
}
