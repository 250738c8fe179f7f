package dev.cellar.walreceiver.backup;

import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * What a BASE_BACKUP reports before its data: the WAL start position and the tablespaces, the
 * main data directory last (PROTOCOL.md §5).
 */
public record BaseBackupStart(Lsn startLsn, TimelineId startTimeline, List<TablespaceEntry> tablespaces) {
    public BaseBackupStart {
        Objects.requireNonNull(startLsn, "startLsn");
        Objects.requireNonNull(startTimeline, "startTimeline");
        tablespaces = List.copyOf(tablespaces);
    }

    /** The server's size estimate in bytes, when every entry has one (PROGRESS was requested). */
    public OptionalLong estimatedBytes() {
        long total = 0;
        for (TablespaceEntry t : tablespaces) {
            if (t.sizeKb().isEmpty()) {
                return OptionalLong.empty();
            }
            total += t.sizeKb().getAsLong() * 1024;
        }
        return OptionalLong.of(total);
    }

    /**
     * One row of the tablespace list.
     *
     * @param oid      empty for the main data directory
     * @param location the tablespace's directory on the server; empty for the main data directory
     * @param sizeKb   the server's estimate, when PROGRESS was requested
     */
    public record TablespaceEntry(OptionalLong oid, String location, OptionalLong sizeKb) {
        public TablespaceEntry {
            Objects.requireNonNull(oid, "oid");
            Objects.requireNonNull(location, "location");
            Objects.requireNonNull(sizeKb, "sizeKb");
        }

        public boolean isMainDirectory() {
            return oid.isEmpty();
        }
    }
}
