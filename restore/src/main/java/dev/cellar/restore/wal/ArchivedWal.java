package dev.cellar.restore.wal;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.TimelineHistory;
import dev.cellar.core.WalFileKind;
import dev.cellar.core.WalFileNames;
import dev.cellar.core.WalSegmentName;
import dev.cellar.core.WalSegmentSize;
import dev.cellar.storage.repository.ClusterInfo;
import dev.cellar.storage.repository.Repository;
import dev.cellar.storage.repository.StoredHistory;
import dev.cellar.storage.repository.StoredWal;
import java.io.ByteArrayInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The WAL segments and timeline history files of a cluster as a restored server's
 * {@code restore_command} asks for them, by PostgreSQL's file name ({@code %f}): read by
 * {@code backupctl wal-get} from the repository itself, and by the server for
 * {@code GET /api/v1/clusters/{c}/wal/{name}}, so both answer the same. Only reads the repository;
 * thread-safe as far as the repository is.
 */
public final class ArchivedWal {
    private final Repository repository;

    public ArchivedWal(Repository repository) {
        this.repository = repository;
    }

    /**
     * The file recovery asks for: a complete segment, else the zero-padded {@code .partial} of the
     * newest timeline's last segment under the segment's name (recovery reads up to its zeros, as
     * when WAL is staged in the export); a {@code .partial} asked for by that name; or a history
     * file. Backup history files ({@code .backup}) are not kept, so they are never found.
     *
     * @return the open file, or empty when the repository does not hold it (the end of the archive
     *         for recovery)
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} for a name that is no WAL file name;
     *                         {@link ErrorCode#RESTORE_FAILED} when the repository has no such cluster
     */
    public Optional<ArchivedWalFile> open(String cluster, String fileName) {
        ClusterInfo info = repository.cluster(cluster).orElseThrow(() -> new CellarException(ErrorCode.RESTORE_FAILED,
                "the repository has no cluster \"" + cluster + "\"", "known clusters: " + repository.clusterNames()));
        WalSegmentSize size = WalSegmentSize.of(info.walSegmentSize());
        return switch (WalFileNames.parse(fileName, size)) {
            case WalFileKind.Segment(WalSegmentName segment) -> segment(cluster, segment, fileName);
            case WalFileKind.PartialSegment(WalSegmentName segment) ->
                    repository.findWal(cluster, segment, true).map(stored -> open(stored, fileName));
            case WalFileKind.History history -> repository.histories(cluster).stream()
                    .map(StoredHistory::history)
                    .filter(h -> h.timeline().equals(history.historyOf()))
                    .findFirst().map(h -> history(h, fileName));
            case WalFileKind.BackupHistory ignored -> Optional.empty();
        };
    }

    private Optional<ArchivedWalFile> segment(String cluster, WalSegmentName segment, String fileName) {
        Optional<StoredWal> stored = repository.findWal(cluster, segment, false);
        if (stored.isEmpty()) {
            stored = repository.findWal(cluster, segment, true);
        }
        return stored.map(s -> open(s, fileName));
    }

    /** The stored segment's logical bytes, checked against the SHA-256 its object name records. */
    private ArchivedWalFile open(StoredWal stored, String fileName) {
        return new ArchivedWalFile(fileName, stored.name().logicalSha256(), repository.openWal(stored));
    }

    /** {@link Repository#histories} verified the file against its checksum when listing it. */
    private static ArchivedWalFile history(TimelineHistory history, String fileName) {
        byte[] content = history.format();
        return new ArchivedWalFile(fileName, sha256(content), new ByteArrayInputStream(content));
    }

    private static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
