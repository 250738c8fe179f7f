package dev.cellar.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The kit itself, once per selected major: servers, roles, replication, standbys, promotion. */
class PostgresKitIT {
    @RegisterExtension
    static final PostgresKit PG = PostgresKit.perTest();

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("dev.cellar.testkit.PgMajors#selected")
    void startsAServerOfTheRequestedMajorReadyForReplication(int major) throws Exception {
        PgServer server = PG.start(major);

        assertThat(server.queryLong("SHOW server_version_num") / 10000).isEqualTo(major);
        assertThat(server.queryString("SHOW wal_level")).isEqualTo("replica");
        assertThat(server.queryString("SHOW listen_addresses")).isEqualTo("127.0.0.1");
        if (major >= 17) {
            assertThat(server.queryString("SHOW summarize_wal")).isEqualTo("on");
        }
        if (dev.cellar.restore.postgres.ServerUser.currentUid() == 0) {
            // PostgreSQL refuses root; the kit must have switched to the unprivileged user.
            assertThat((Integer) Files.getAttribute(server.dataDirectory(), "unix:uid")).isEqualTo(65534);
        }
        assertThat(Files.getPosixFilePermissions(server.dataDirectory()))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("dev.cellar.testkit.PgMajors#selected")
    void passwordRolesMustAuthenticateAndMayReplicate(int major) throws Exception {
        PgServer server = PG.start(major);

        try (Connection c = server.connectAs("postgres", TestCredentials.SCRAM_USER, TestCredentials.SCRAM_PASSWORD)) {
            assertThat(c.isValid(5)).isTrue();
        }
        try (Connection c = server.connectAs("postgres", TestCredentials.MD5_USER, TestCredentials.MD5_PASSWORD)) {
            assertThat(c.isValid(5)).isTrue();
        }
        assertThatThrownBy(() -> server.connectAs("postgres", TestCredentials.SCRAM_USER, "wrong"))
                .hasRootCauseInstanceOf(SQLException.class)
                .rootCause().satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28P01"));
        assertThat(server.queryString("SELECT rolpassword FROM pg_authid WHERE rolname = '"
                + TestCredentials.SCRAM_USER + "'")).startsWith("SCRAM-SHA-256$");
        assertThat(server.queryString("SELECT rolpassword FROM pg_authid WHERE rolname = '"
                + TestCredentials.MD5_USER + "'")).startsWith("md5");

        // A physical replication connection with SCRAM through pg_hba's "replication" line.
        Properties props = new Properties();
        props.setProperty("user", TestCredentials.SCRAM_USER);
        props.setProperty("password", TestCredentials.SCRAM_PASSWORD);
        props.setProperty("replication", "true");
        props.setProperty("assumeMinServerVersion", "9.4");
        props.setProperty("preferQueryMode", "simple");
        try (Connection c = DriverManager.getConnection(server.jdbcUrl("replication"), props);
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("IDENTIFY_SYSTEM")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString("systemid")).matches("\\d+");
            assertThat(rs.getLong("timeline")).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("dev.cellar.testkit.PgMajors#selected")
    void standbyStreamsFromItsPrimaryAndIsPromotedToTimelineTwo(int major) {
        PgServer primary = PG.start(major);
        primary.execute("CREATE TABLE t (id int)", "INSERT INTO t VALUES (1)");
        PgServer standby = PG.standbyOf(primary);

        assertThat(standby.isInRecovery()).isTrue();
        primary.execute("INSERT INTO t VALUES (2)");
        Awaitility.await("row replicated").atMost(Duration.ofSeconds(60))
                .until(() -> standby.queryLong("SELECT count(*) FROM t") == 2);
        assertThat(primary.queryLong("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'"))
                .isEqualTo(1);

        primary.kill9();
        Awaitility.await("primary gone").atMost(Duration.ofSeconds(30)).until(() -> !primary.isRunning());
        standby.promote();

        assertThat(standby.isInRecovery()).isFalse();
        assertThat(standby.timeline()).isEqualTo(2);
        standby.execute("INSERT INTO t VALUES (3)");
        assertThat(standby.queryLong("SELECT count(*) FROM t")).isEqualTo(3);
        assertThat(standby.dataDirectory().resolve("pg_wal/00000002.history")).exists();
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("dev.cellar.testkit.PgMajors#selected")
    void serverSurvivesKill9AndRecoversOnRestart(int major) {
        PgServer server = PG.start(major);
        server.execute("CREATE TABLE kept (v text)", "INSERT INTO kept VALUES ('committed')");

        server.kill9();
        Awaitility.await("postmaster dead").atMost(Duration.ofSeconds(30)).until(() -> !server.isRunning());
        server.start();

        assertThat(server.queryString("SELECT v FROM kept")).isEqualTo("committed");
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("dev.cellar.testkit.PgMajors#selected")
    void writeLoadCommitsIntoATablespace(int major) {
        PgServer server = PG.start(major);
        Path location = PG.createTablespace(server, "extra");
        server.execute("CREATE TABLE in_extra (v int) TABLESPACE extra", "INSERT INTO in_extra VALUES (42)");
        assertThat(server.queryString("SELECT pg_tablespace_location(oid) FROM pg_tablespace WHERE spcname = 'extra'"))
                .isEqualTo(location.toString());

        var before = server.currentLsn();
        try (WriteLoad load = WriteLoad.start(server, 200, 100)) {
            Awaitility.await("commits").atMost(Duration.ofSeconds(30)).until(() -> load.commits() >= 50);
            load.assertHealthy();
            assertThat(load.lastCommitLsn().isAfter(before)).isTrue();
        }
        assertThat(WriteLoad.rowCount(server)).isGreaterThanOrEqualTo(50);
        assertThat(server.switchWal().isAfter(before)).isTrue();
    }
}
