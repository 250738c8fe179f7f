package dev.cellar.server.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.ErrorCode;
import dev.cellar.server.operations.ConflictException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** A backup a running restore reads cannot be deleted; once the restore ends, it can. */
class BackupReadsTest {
    private final BackupReads reads = new BackupReads();

    @Test
    void aBackupReadByARestoreIsNotDeleted() {
        reads.register(7, List.of("F1", "I1"));
        AtomicBoolean deleted = new AtomicBoolean();

        assertThatThrownBy(() -> reads.deleting("F1", "c1", () -> deleted.getAndSet(true)))
                .isInstanceOfSatisfying(ConflictException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BACKUP_FAILED);
                    assertThat(e.getMessage()).isEqualTo("backup F1 of cluster c1 is being read by restore job 7");
                    assertThat(e.hint()).contains("wait for the restore to end (GET /api/v1/jobs/7), then delete it");
                });
        assertThat(deleted).isFalse();
        assertThat(reads.deleting("F0", "c1", () -> "other")).isEqualTo("other");

        reads.release(7);
        assertThat(reads.deleting("F1", "c1", () -> deleted.getAndSet(true))).isFalse();
        assertThat(deleted).isTrue();
    }

    @Test
    void registeringHappensInsideTheExclusiveSectionThatDeletionsWaitFor() throws InterruptedException {
        AtomicBoolean deletedWhileStarting = new AtomicBoolean();
        Thread deleter = Thread.ofVirtual().unstarted(() -> {
            try {
                reads.deleting("F1", "c1", () -> deletedWhileStarting.getAndSet(true));
            } catch (ConflictException expected) {
                // the restore registered first: refused, as it should be
            }
        });
        reads.exclusively(() -> {
            deleter.start();
            Awaitility.await("the deletion waits for the section").atMost(Duration.ofSeconds(10))
                    .until(() -> deleter.getState() == Thread.State.WAITING);
            reads.register(8, List.of("F1"));
            return null;
        });
        deleter.join();
        assertThat(deletedWhileStarting).isFalse();
        assertThat(reads.reader("F1")).contains(8L);
    }
}
