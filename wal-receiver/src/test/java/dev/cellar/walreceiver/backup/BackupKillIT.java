package dev.cellar.walreceiver.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cellar.storage.local.LocalStore;
import dev.cellar.storage.repository.BackupListing;
import dev.cellar.storage.repository.Repository;
import dev.cellar.storage.repository.RepositoryLayout;
import dev.cellar.testkit.PgMajors;
import dev.cellar.testkit.PgServer;
import dev.cellar.testkit.PostgresKit;
import dev.cellar.testkit.TestCredentials;
import dev.cellar.testkit.TestRoot;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A backup killed with SIGKILL while its chunks are being stored: what it left is never offered
 * as a backup, the next start removes it, and the server accepts the next backup.
 */
class BackupKillIT {
    @RegisterExtension
    static final PostgresKit PG = PostgresKit.perTest();

    @Test
    void aKilledBackupIsNeverCompleteAndIsCleanedAtTheNextStart() throws Exception {
        PgServer server = PG.start(PgMajors.selected().getLast());
        Path root = TestRoot.newDirectory("repo");
        Process backup = start(root, server);
        try (BufferedReader out = new BufferedReader(new InputStreamReader(backup.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            // Wait until chunks are in the repository, then kill the process in mid-backup.
            while ((line = out.readLine()) != null && !(line.startsWith("stored ") && Long.parseLong(line.substring(7)) > 0)) {
                assertThat(line).isNotEqualTo("finished");
            }
            assertThat(line).as("the backup process ended before storing anything").isNotNull();
        } finally {
            backup.destroyForcibly();
            assertThat(backup.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }

        Repository repository = new Repository(LocalStore.open(root));
        List<BackupListing> listings = repository.backups("c1");
        assertThat(listings).singleElement().isInstanceOf(BackupListing.Incomplete.class);
        String id = listings.getFirst().id();
        assertThat(repository.store().list(RepositoryLayout.backupPrefix("c1", id), Optional.empty(), 1).objects())
                .as("chunks were stored before the kill").isNotEmpty();

        assertThat(repository.deleteIncompleteBackups("c1")).containsExactly(id);
        assertThat(repository.backups("c1")).isEmpty();
        assertThat(repository.store().list(RepositoryLayout.backupPrefix("c1", id), Optional.empty(), 1).objects()).isEmpty();

        // The server dropped the killed walsender's backup: a new one completes.
        BackupOutcome next = BaseBackupRunIT.backup(repository, server, r -> r);
        assertThat(repository.backups("c1")).singleElement().isInstanceOf(BackupListing.Complete.class)
                .extracting(BackupListing::id).isEqualTo(next.backup().id());
    }

    private static Process start(Path repository, PgServer server) throws IOException {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                BackupProcessMain.class.getName(), repository.toString(), server.host(), String.valueOf(server.port()),
                TestCredentials.SCRAM_USER, TestCredentials.SCRAM_PASSWORD);
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }
}
