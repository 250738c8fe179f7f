package dev.cellar.testkit;

import dev.cellar.restore.postgres.FreePort;
import dev.cellar.restore.postgres.PostgresServer;
import dev.cellar.restore.postgres.ServerUser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JUnit 5 extension that starts real PostgreSQL servers and stops them (and deletes their files)
 * after the test class. Register it once per class:
 *
 * <pre>{@code
 * @RegisterExtension static final PostgresKit PG = PostgresKit.perTest();
 *
 * @ParameterizedTest @MethodSource("dev.cellar.testkit.PgMajors#selected")
 * void streams(int major) { PgServer primary = PG.start(major); ... }
 * }</pre>
 *
 * <p>Servers listen on 127.0.0.1 on a free port, run as an unprivileged user when the JVM is root,
 * allow replication, and have the roles of {@link TestCredentials}. Thread-safe.
 */
public final class PostgresKit implements AfterEachCallback, AfterAllCallback, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresKit.class);
    private static final AtomicInteger SERVER_NUMBER = new AtomicInteger();

    private final boolean perTest;

    private PostgresKit(boolean perTest) {
        this.perTest = perTest;
    }

    /** Servers live until the end of the test that started them (keeps few servers running). */
    public static PostgresKit perTest() {
        return new PostgresKit(true);
    }

    /** Servers live until the end of the test class, so its tests can share them. */
    public static PostgresKit perClass() {
        return new PostgresKit(false);
    }

    private final List<PgServer> servers = new CopyOnWriteArrayList<>();
    private final List<Path> directories = new CopyOnWriteArrayList<>();

    /** Starts a new primary of {@code major}. */
    public PgServer start(int major) {
        return start(major, settings -> { });
    }

    /**
     * Starts a new primary after letting {@code configure} append settings to its
     * {@code postgresql.conf} (later lines override the kit's defaults).
     */
    public PgServer start(int major, Consumer<List<String>> configure) {
        PgServer server = create(major, configure);
        long started = System.nanoTime();
        server.start();
        LOG.info("started {} in {} ms", server, (System.nanoTime() - started) / 1_000_000);
        return server;
    }

    /** Creates (but does not start) a new primary. */
    public PgServer create(int major, Consumer<List<String>> configure) {
        Path template = ServerTemplates.templateFor(major);
        String name = "pg" + major + "-" + SERVER_NUMBER.incrementAndGet();
        Path base = newServerDirectory(name);
        Path data = base.resolve("data");
        copyAsServerUser(template, data);
        PostgresServer process = PostgresServer.forDataDirectory(ServerTemplates.installation(major),
                TestRoot.serverUser(), data, FreePort.onLoopback());
        List<String> settings = new ArrayList<>();
        settings.add("cluster_name = '" + name + "'");
        configure.accept(settings);
        process.appendToFile("postgresql.conf", settings);
        PgServer server = new PgServer(major, name, process);
        servers.add(server);
        return server;
    }

    /**
     * Makes and starts a streaming standby of a running primary: a physical slot on the primary,
     * {@code pg_backup_start}, a copy of the data directory, {@code pg_backup_stop}, then
     * {@code backup_label}, {@code standby.signal} and {@code primary_conninfo}. Returns once the
     * standby accepts read-only connections.
     */
    public PgServer standbyOf(PgServer primary) {
        String name = "pg" + primary.major() + "-" + SERVER_NUMBER.incrementAndGet() + "-standby";
        String slot = name.replace('-', '_');
        Path base = newServerDirectory(name);
        Path data = base.resolve("data");
        primary.execute("SELECT pg_create_physical_replication_slot('" + slot + "', true)");
        String label;
        String tablespaceMap;
        try (Connection c = primary.connect(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_backup_start('cellar-testkit standby " + name + "', true)");
            DataDirectoryCopier.copy(primary.dataDirectory(), data);
            try (ResultSet rs = s.executeQuery("SELECT labelfile, spcmapfile FROM pg_backup_stop(true)")) {
                rs.next();
                label = rs.getString(1);
                tablespaceMap = rs.getString(2);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot take the standby's base copy from " + primary + ": " + e, e);
        }
        PostgresServer process = PostgresServer.forDataDirectory(primary.process().installation(),
                TestRoot.serverUser(), data, FreePort.onLoopback());
        TestRoot.serverUser().ownRecursively(data);
        process.writeFile("backup_label", label);
        if (tablespaceMap != null && !tablespaceMap.isEmpty()) {
            process.writeFile("tablespace_map", tablespaceMap);
        }
        process.writeFile("standby.signal", "");
        process.appendToFile("postgresql.conf", List.of("cluster_name = '" + name + "'"));
        process.appendToFile("postgresql.auto.conf", List.of(
                "primary_conninfo = 'host=" + primary.host() + " port=" + primary.port() + " user="
                        + TestCredentials.SUPERUSER + " application_name=" + name + "'",
                "primary_slot_name = '" + slot + "'"));
        PgServer standby = new PgServer(primary.major(), name, process);
        servers.add(standby);
        standby.start();
        return standby;
    }

    /**
     * Creates a tablespace on {@code server} in a new directory owned by the server user; returns
     * the directory.
     */
    public Path createTablespace(PgServer server, String name) {
        Path location = newServerDirectory("tablespace-" + name);
        server.execute("CREATE TABLESPACE " + name + " LOCATION '" + location + "'");
        return location;
    }

    /** Every server this kit started, in order. */
    public List<PgServer> servers() {
        return List.copyOf(servers);
    }

    private Path newServerDirectory(String name) {
        Path dir = TestRoot.newDirectory(name);
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TestRoot.serverUser().own(dir);
        directories.add(dir);
        return dir;
    }

    private static void copyAsServerUser(Path template, Path data) {
        ServerUser user = TestRoot.serverUser();
        List<String> command = new ArrayList<>(user.commandPrefix());
        command.addAll(List.of("cp", "-a", template.toString(), data.toString()));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IllegalStateException("cannot copy template " + template + ": " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (perTest) {
            close();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    /** Stops every server (immediately: their data is scratch) and deletes their directories. */
    @Override
    public void close() {
        RuntimeException failure = null;
        for (PgServer server : servers.reversed()) {
            try {
                server.stopImmediately();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        servers.clear();
        for (Path dir : directories) {
            TestRoot.deleteQuietly(dir);
        }
        directories.clear();
        if (failure != null) {
            throw failure;
        }
    }
}
