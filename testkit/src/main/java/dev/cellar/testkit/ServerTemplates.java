package dev.cellar.testkit;

import dev.cellar.restore.postgres.FreePort;
import dev.cellar.restore.postgres.PostgresInstallation;
import dev.cellar.restore.postgres.PostgresInstallations;
import dev.cellar.restore.postgres.PostgresServer;
import dev.cellar.restore.postgres.ServerUser;
import dev.cellar.restore.postgres.ShutdownMode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One initialised, configured data directory per major, made once per JVM; every test server is a
 * copy of it ({@code cp -a} is about five times faster than {@code initdb}).
 */
final class ServerTemplates {
    private static final Logger LOG = LoggerFactory.getLogger(ServerTemplates.class);
    private static final Map<Integer, Path> TEMPLATES = new ConcurrentHashMap<>();
    private static final PostgresInstallations INSTALLATIONS = PostgresInstallations.fromEnvironment();

    private ServerTemplates() {
    }

    static PostgresInstallation installation(int major) {
        return INSTALLATIONS.forMajor(major);
    }

    /** The template data directory of {@code major}; never start a server on it. */
    static Path templateFor(int major) {
        return TEMPLATES.computeIfAbsent(major, ServerTemplates::create);
    }

    private static Path create(int major) {
        long started = System.nanoTime();
        ServerUser user = TestRoot.serverUser();
        Path data = TestRoot.newDirectory("template-pg" + major).resolve("data");
        PostgresServer server = PostgresServer.initdb(installation(major), user, data, FreePort.onLoopback(),
                TestCredentials.SUPERUSER, List.of("--no-sync"));
        server.appendToFile("postgresql.conf", settings(major));
        server.writeFile("pg_hba.conf", String.join("\n", hbaRules()) + "\n");
        server.start();
        try {
            createRoles(server);
        } finally {
            server.stop(ShutdownMode.FAST);
        }
        LOG.info("template for PostgreSQL {} ({}) ready in {} ms: initdb, configuration, roles", major,
                server.installation().version(), (System.nanoTime() - started) / 1_000_000);
        return data;
    }

    static List<String> settings(int major) {
        List<String> lines = new ArrayList<>(List.of(
                "# Cellar test kit",
                "wal_level = replica",
                "max_wal_senders = 10",
                "max_replication_slots = 10",
                "password_encryption = 'scram-sha-256'",
                "shared_buffers = 32MB",
                "max_connections = 40",
                // The servers under test are scratch copies; Cellar's own durability is what the
                // tests examine, and fsync here would only slow every test down.
                "fsync = off",
                "full_page_writes = on",
                "min_wal_size = 32MB",
                "max_wal_size = 256MB",
                "log_replication_commands = on",
                "log_min_messages = info",
                "log_line_prefix = '%m [%p] %q%a '"));
        if (major >= 17) {
            lines.add("summarize_wal = on");
        }
        return lines;
    }

    private static List<String> hbaRules() {
        return List.of(
                "# Cellar test kit: password roles first, then trust for everything else on loopback.",
                "local   all          all                                trust",
                "host    all          " + TestCredentials.SCRAM_USER + "  127.0.0.1/32   scram-sha-256",
                "host    replication  " + TestCredentials.SCRAM_USER + "  127.0.0.1/32   scram-sha-256",
                "host    all          " + TestCredentials.MD5_USER + "    127.0.0.1/32   md5",
                "host    replication  " + TestCredentials.MD5_USER + "    127.0.0.1/32   md5",
                "host    all          all            127.0.0.1/32   trust",
                "host    replication  all            127.0.0.1/32   trust");
    }

    private static void createRoles(PostgresServer server) {
        String url = "jdbc:postgresql://127.0.0.1:" + server.port() + "/postgres";
        try (Connection c = DriverManager.getConnection(url, TestCredentials.SUPERUSER, "");
             Statement s = c.createStatement()) {
            s.execute("CREATE ROLE " + TestCredentials.SCRAM_USER + " LOGIN REPLICATION PASSWORD '"
                    + TestCredentials.SCRAM_PASSWORD + "'");
            // md5 is deprecated (PostgreSQL 18 warns) but still in use; keep one role to test it.
            s.execute("SET password_encryption = 'md5'");
            s.execute("CREATE ROLE " + TestCredentials.MD5_USER + " LOGIN REPLICATION PASSWORD '"
                    + TestCredentials.MD5_PASSWORD + "'");
            s.execute("GRANT pg_read_all_settings, pg_read_all_stats TO " + TestCredentials.SCRAM_USER + ", "
                    + TestCredentials.MD5_USER);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the test roles on " + server + ": " + e.getMessage(), e);
        }
    }
}
