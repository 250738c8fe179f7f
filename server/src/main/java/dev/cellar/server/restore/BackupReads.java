package dev.cellar.server.restore;

import dev.cellar.core.ErrorCode;
import dev.cellar.server.operations.ConflictException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Which backups running restores read, so that no backup is deleted under a restore. Restores take
 * no backup lock of their cluster (backups and restores of one cluster run side by side); instead a
 * deletion and the start of a restore exclude each other: {@link #deleting} refuses a backup a
 * restore reads, and a restore checks that its backups are still catalogued and registers them
 * inside {@link #exclusively}. Thread-safe.
 */
final class BackupReads {
    private final ReentrantLock lock = new ReentrantLock();
    /** Backup IDs read, by restore job. */
    private final Map<Long, List<String>> reads = new LinkedHashMap<>();

    /** Runs {@code work} while no backup is being deleted (reentrant: {@link #register} may be called in it). */
    <T> T exclusively(Supplier<T> work) {
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }

    /** Records that restore job {@code job} reads {@code backups} until {@link #release}. */
    void register(long job, List<String> backups) {
        exclusively(() -> reads.put(job, List.copyOf(backups)));
    }

    void release(long job) {
        exclusively(() -> reads.remove(job));
    }

    /** The restore job reading {@code backupId}, if one does. */
    Optional<Long> reader(String backupId) {
        return exclusively(() -> reads.entrySet().stream().filter(e -> e.getValue().contains(backupId))
                .map(Map.Entry::getKey).findFirst());
    }

    /**
     * Runs {@code deletion} of backup {@code backupId} unless a restore reads it; no restore starts
     * reading it meanwhile.
     *
     * @throws ConflictException naming the restore job that reads it
     */
    <T> T deleting(String backupId, String cluster, Supplier<T> deletion) {
        return exclusively(() -> {
            Optional<Long> reader = reader(backupId);
            if (reader.isPresent()) {
                throw new ConflictException(ErrorCode.BACKUP_FAILED, "backup " + backupId + " of cluster " + cluster
                        + " is being read by restore job " + reader.get(), "wait for the restore to end"
                        + " (GET /api/v1/jobs/" + reader.get() + "), then delete it");
            }
            return deletion.get();
        });
    }
}
