package dev.cellar.server.quickstart;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import dev.cellar.restore.PointInTimeRestore;
import dev.cellar.restore.export.ExportOptions;
import dev.cellar.restore.export.ExportResult;
import dev.cellar.restore.plan.RecoveryTarget;
import dev.cellar.restore.plan.RestorePlan;
import dev.cellar.restore.plan.RestoreTarget;
import dev.cellar.restore.postgres.FreePort;
import dev.cellar.restore.postgres.PostgresInstallation;
import dev.cellar.restore.postgres.PostgresInstallations;
import dev.cellar.restore.postgres.PostgresServer;
import dev.cellar.restore.postgres.ServerUser;
import dev.cellar.restore.postgres.ShutdownMode;
import dev.cellar.server.daemon.CellarDaemon;
import dev.cellar.server.daemon.ServerOperations;
import dev.cellar.server.view.BackupView;
import dev.cellar.server.view.JobView;
import dev.cellar.server.view.WalStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;

/**
 * {@code backupctl quickstart}: the whole product on one machine in a minute, printing each step in
 * plain words — a throwaway PostgreSQL from the bundled binaries, a Cellar server for it (in this
 * process, with its admin API), data, a base backup, WAL streamed through a slot, a point-in-time
 * restore into a new directory, and PostgreSQL started on it to show the data as at the target.
 * Everything lives under one directory; nothing else on the machine is touched.
 */
public final class Quickstart {
    private static final Duration STEP_TIMEOUT = Duration.ofMinutes(3);
    private static final String SUPERUSER = "postgres";
    private static final String REPLICATION_USER = "cellar";

    private final Path dir;
    private final int major;
    private final PrintWriter out;
    private final Clock clock = Clock.systemUTC();
    private final List<AutoCloseable> toStop = new ArrayList<>();

    public Quickstart(Path dir, int major, PrintWriter out) {
        this.dir = dir.toAbsolutePath().normalize();
        this.major = major;
        this.out = out;
    }

    /**
     * Runs every step; then, unless {@code once}, keeps the server and both PostgreSQL servers running
     * until {@code stop} counts down (Ctrl-C), and stops them.
     */
    public void run(boolean once, CountDownLatch stop) throws Exception {
        prepareDirectory();
        try {
            PostgresInstallation installation = PostgresInstallations.fromEnvironment().forMajor(major);
            ServerUser user = ServerUser.forThisProcess();
            String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));

            step(1, "Starting a throwaway PostgreSQL " + major + " (" + installation.version() + ", bundled binaries)"
                    + (user.isSwitched() ? " as user nobody, since PostgreSQL refuses to run as root" : ""));
            PostgresServer source = PostgresServer.initdb(installation, user, dir.resolve("postgres/data"),
                    FreePort.onLoopback(), SUPERUSER, List.of("--no-sync"));
            source.appendToFile("postgresql.conf", List.of("wal_level = replica", "max_wal_senders = 10",
                    "password_encryption = 'scram-sha-256'", major >= 17 ? "summarize_wal = on" : ""));
            source.writeFile("pg_hba.conf", String.join("\n",
                    "# quickstart: the replication role needs its password; the local superuser is trusted",
                    "host replication " + REPLICATION_USER + " 127.0.0.1/32 scram-sha-256",
                    "host all " + REPLICATION_USER + " 127.0.0.1/32 scram-sha-256",
                    "host all " + SUPERUSER + " 127.0.0.1/32 trust") + "\n");
            source.start();
            toStop.add(() -> source.stop(ShutdownMode.FAST));
            execute(source, "CREATE ROLE " + REPLICATION_USER + " LOGIN REPLICATION PASSWORD '" + password + "'");
            say("PostgreSQL listens on 127.0.0.1:" + source.port() + ", data in " + source.dataDirectory());

            step(2, "Writing data: 1000 orders into table demo_orders");
            execute(source, "CREATE TABLE demo_orders (id int PRIMARY KEY, item text, placed_at timestamptz DEFAULT"
                    + " clock_timestamp())", "INSERT INTO demo_orders (id, item) SELECT i, 'item ' || i FROM"
                    + " generate_series(1, 1000) AS i");

            step(3, "Starting a Cellar server for it");
            Path config = writeConfig(source, password);
            CellarDaemon daemon = CellarDaemon.start(config, clock);
            toStop.add(daemon);
            ServerOperations ops = daemon.operations();
            say("configuration " + config + "; repository " + dir.resolve("cellar/repo"));
            say("admin API on http://" + daemon.apiAddress() + " (token in " + dir.resolve("cellar/token") + ")");
            await("the WAL stream to start", () -> ops.status().clusters().getFirst().stream() != null
                    && ops.status().clusters().getFirst().stream().streaming());
            say("streaming WAL through the physical replication slot cellar_demo");

            step(4, "Taking a base backup over the replication protocol");
            JobView job = ops.startBackup("demo", false);
            await("backup job " + job.id(), () -> !ops.job(job.id()).running());
            JobView ended = ops.job(job.id());
            if (!ended.outcome().equals("succeeded")) {
                throw new CellarException(ErrorCode.BACKUP_FAILED, "the quickstart backup " + ended.outcome() + ": "
                        + ended.message());
            }
            await("the backup to become restorable (its WAL archived)", () -> ops.backups("demo").stream()
                    .anyMatch(BackupView::restorable));
            BackupView backup = ops.backups("demo").getLast();
            say("backup " + backup.id() + ": " + human(backup.logicalBytes()) + " of data, " + human(backup.storedBytes())
                    + " stored, in " + backup.seconds() + " s");

            step(5, "More changes after the backup, then an accident");
            execute(source, "INSERT INTO demo_orders (id, item) SELECT i, 'item ' || i FROM generate_series(1001, 1500)"
                    + " AS i");
            Instant target = Instant.parse(query(source, "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC',"
                    + " 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"));
            say("1500 orders at " + target + ": this is the point we will restore to");
            await("the server clock to pass the target", () -> Instant.parse(query(source, "SELECT to_char("
                    + "clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")).isAfter(target));
            execute(source, "DELETE FROM demo_orders WHERE id > 100");
            say("oops: DELETE FROM demo_orders WHERE id > 100 (1400 orders gone)");
            Lsn switched = Lsn.parse(query(source, "SELECT pg_switch_wal()::text"));
            await("the WAL up to " + switched + " to reach the repository", () -> walEnd(ops.wal("demo"))
                    .compareTo(switched) >= 0);
            say("Cellar holds the WAL up to " + walEnd(ops.wal("demo")));

            step(6, "Restoring to " + target + " into a new directory");
            Path restoreData = dir.resolve("restore/data");
            RestorePlan plan = PointInTimeRestore.plan(daemon.repository(), daemon.catalog(), "demo",
                    RestoreTarget.latest().withTarget(new RecoveryTarget.AtTime(target)), clock);
            ExportResult result = PointInTimeRestore.export(daemon.repository(), plan, ExportOptions.into(restoreData),
                    clock);
            say("wrote " + human(result.dataBytes()) + " of data and " + result.walFiles() + " WAL file(s) to "
                    + restoreData + ", with the recovery settings in postgresql.auto.conf");

            step(7, "Starting PostgreSQL on the restored directory, as a new cluster");
            user.own(restoreData.getParent());
            user.ownRecursively(restoreData);
            PostgresServer restored = PostgresServer.forDataDirectory(installation, user, restoreData,
                    FreePort.onLoopback());
            restored.start();
            toStop.add(() -> restored.stop(ShutdownMode.FAST));
            await("recovery to finish", () -> query(restored, "SELECT pg_is_in_recovery()::text").equals("false"));
            String count = query(restored, "SELECT count(*)::text FROM demo_orders");
            String sourceCount = query(source, "SELECT count(*)::text FROM demo_orders");
            say("restored server on 127.0.0.1:" + restored.port() + ": demo_orders has " + count + " rows"
                    + " (the original now has " + sourceCount + ")");
            if (!count.equals("1500")) {
                throw new CellarException(ErrorCode.RESTORE_FAILED, "the restored demo_orders has " + count
                        + " rows, 1500 were expected at " + target, "report this: the quickstart found a bug");
            }
            out.println();
            out.println("Done: the data is back as it was at " + target + ".");
            if (once) {
                return;
            }
            out.println();
            out.println("Everything keeps running until Ctrl-C. In another terminal, try:");
            String ctl = "backupctl --config " + config;
            out.println("  " + ctl + " status");
            out.println("  " + ctl + " check --cluster demo");
            out.println("  " + ctl + " list-backups --cluster demo");
            out.println("  psql -h 127.0.0.1 -p " + restored.port() + " -U postgres -c 'SELECT count(*) FROM demo_orders'");
            out.flush();
            stop.await();
        } finally {
            stopAll();
        }
    }

    private void prepareDirectory() throws IOException {
        if (Files.isDirectory(dir)) {
            try (var entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    throw new CellarException(ErrorCode.INVALID_VALUE, "the quickstart directory " + dir
                            + " is not empty", "remove it (rm -rf " + dir + ") or choose another with --dir");
                }
            }
        }
        Files.createDirectories(dir);
        if (ServerUser.forThisProcess().isSwitched()) {
            // PostgreSQL runs as nobody here: every directory on the way must let it through.
            for (Path p = dir; p != null; p = p.getParent()) {
                if (!Files.isDirectory(p) || !PosixFilePermissions.toString(Files.getPosixFilePermissions(p))
                        .endsWith("x")) {
                    throw new CellarException(ErrorCode.INVALID_VALUE, "as root, PostgreSQL runs as the user nobody,"
                            + " which cannot enter " + p, "choose a --dir under /tmp, e.g. --dir /tmp/cellar-demo");
                }
            }
        }
        out.println("Cellar quickstart in " + dir);
    }

    private Path writeConfig(PostgresServer source, String password) throws IOException {
        Path cellar = Files.createDirectories(dir.resolve("cellar"));
        Path passwordFile = secret(cellar.resolve("password"), password);
        Path tokenFile = secret(cellar.resolve("token"), HexFormat.of().formatHex(new SecureRandom().generateSeed(24)));
        Path config = cellar.resolve("cellar.yaml");
        Files.writeString(config, """
                # Written by backupctl quickstart. Backups run when asked (schedules off).
                repository:
                  path: %s
                server:
                  listen: 127.0.0.1:%d
                  token_file: %s
                defaults:
                  schedule: { full: off, incremental: off, verify: off }
                clusters:
                  - name: demo
                    conninfo: host=127.0.0.1 port=%d user=%s
                    password_file: %s
                    checkpoint: fast
                """.formatted(cellar.resolve("repo"), FreePort.onLoopback(), tokenFile, source.port(),
                REPLICATION_USER, passwordFile));
        return config;
    }

    private static Path secret(Path file, String value) throws IOException {
        Files.writeString(file, value + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    private void step(int number, String what) {
        out.println();
        out.println(number + ". " + what);
        out.flush();
    }

    private void say(String line) {
        out.println("   " + line);
        out.flush();
    }

    /** Waits for a condition of a real server (no clock in a quickstart to advance), failing with what it waited for. */
    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(STEP_TIMEOUT);
        RuntimeException last = null;
        while (Instant.now().isBefore(deadline)) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                last = e; // a server still starting; try again
            }
            Thread.sleep(200);
        }
        throw new CellarException(ErrorCode.INTERNAL, "the quickstart gave up waiting for " + what + " after "
                + STEP_TIMEOUT.toMinutes() + " minutes" + (last == null ? "" : ": " + last.getMessage()),
                "see the messages above; the directory keeps the logs");
    }

    private static Lsn walEnd(WalStatus wal) {
        return wal.timelines().stream().map(WalStatus.Timeline::endLsn).filter(e -> e != null).map(Lsn::parse)
                .max(Lsn::compareTo).orElse(Lsn.INVALID);
    }

    private static void execute(PostgresServer server, String... statements) throws SQLException {
        try (Connection connection = connect(server); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    private static String query(PostgresServer server, String sql) {
        try (Connection connection = connect(server); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static Connection connect(PostgresServer server) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server.port() + "/postgres", SUPERUSER, "");
    }

    private static String human(long bytes) {
        return bytes < 1 << 20 ? bytes / 1024 + " KiB" : "%.1f MiB".formatted(bytes / (1024.0 * 1024));
    }

    private void stopAll() {
        for (AutoCloseable closeable : toStop.reversed()) {
            try {
                closeable.close();
            } catch (Exception e) {
                out.println("   while stopping: " + e.getMessage());
            }
        }
        toStop.clear();
    }
}
