package dev.cellar.walreceiver.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cellar.core.WalSegmentSize;
import dev.cellar.storage.memory.InMemoryStore;
import dev.cellar.storage.repository.Repository;
import dev.cellar.testkit.PgMajors;
import dev.cellar.testkit.PgServer;
import dev.cellar.testkit.PostgresKit;
import dev.cellar.walreceiver.connection.ReplicationConnection;
import dev.cellar.walreceiver.connection.ReplicationConnector;
import java.util.List;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Change detection on real servers: after a backup, the server's own housekeeping WAL (the
 * backup's WAL switch, a checkpoint, snapshots) is not a change; one inserted row is.
 */
class BackupChangeDetectorIT {
    @RegisterExtension
    static final PostgresKit PG = PostgresKit.perTest();

    static List<Integer> majors() {
        return PgMajors.selected();
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("majors")
    void housekeepingIsNoChangeButARowIs(int major) {
        // Autovacuum would analyze the new table at a time of its choosing: a real change, but not this test's.
        PgServer server = PG.start(major, conf -> conf.add("autovacuum = off"));
        server.execute("CREATE TABLE t (id int)", "INSERT INTO t VALUES (1)");
        BaseBackupResult backup;
        long systemIdentifier;
        try (ReplicationConnection connection = ReplicationConnector.connect(BaseBackupExchangeIT.settings(server))) {
            systemIdentifier = Long.parseUnsignedLong(connection.identifySystem().systemId());
            // Cellar's own slot keeps the WAL it has not archived; here nothing archives it, so the
            // slot keeps every segment since the backup on the server, where the detector reads it.
            connection.createPhysicalSlot("held", true);
            backup = BaseBackupExchange.run(connection, BaseBackupOptions.full("before"), new BaseBackupExchangeIT.Capture());
        }
        BackupChangeDetector detector = new BackupChangeDetector(new Repository(new InMemoryStore()), "c1",
                systemIdentifier, WalSegmentSize.DEFAULT);

        server.checkpoint();
        server.switchWal();
        server.checkpoint();
        ChangeCheck idle = detector.check(backup.endLsn(), backup.endTimeline(),
                () -> ReplicationConnector.connect(BaseBackupExchangeIT.settings(server)));
        assertThat(idle.changed()).as(idle.reason()).isFalse();
        assertThat(idle.reason()).contains("only housekeeping WAL");

        server.execute("INSERT INTO t VALUES (2)");
        ChangeCheck changed = detector.check(backup.endLsn(), backup.endTimeline(),
                () -> ReplicationConnector.connect(BaseBackupExchangeIT.settings(server)));
        assertThat(changed.changed()).as(changed.reason()).isTrue();
        assertThat(changed.reason()).contains("changes data");
    }
}
