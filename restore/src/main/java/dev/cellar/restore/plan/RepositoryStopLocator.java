package dev.cellar.restore.plan;

import dev.cellar.catalog.WalCoverage;
import dev.cellar.catalog.WalCoveragePlanner;
import dev.cellar.catalog.WalSegmentRow;
import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineHistory;
import dev.cellar.core.wal.WalRecord;
import dev.cellar.core.wal.WalRecordReader;
import dev.cellar.core.wal.WalTargetEvent;
import dev.cellar.core.wal.WalTargetEvents;
import dev.cellar.storage.repository.Repository;
import dev.cellar.storage.repository.StoredWal;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * Finds stop records by reading the repository's WAL record by record, as recovery will read it:
 * the files {@link WalCoveragePlanner} chooses along the path, every record's CRC checked. Reads
 * segment by segment and stops at the first match.
 */
public final class RepositoryStopLocator implements StopLocator {
    private final Repository repository;
    private final RestoreFacts facts;

    public RepositoryStopLocator(Repository repository, RestoreFacts facts) {
        this.repository = repository;
        this.facts = facts;
    }

    @Override
    public Optional<StopRecord> firstStop(RecoveryTarget target, boolean inclusive, TimelineHistory path, Lsn from,
                                          Lsn to) {
        if (!to.isAfter(from)) {
            return Optional.empty();
        }
        if (target instanceof RecoveryTarget.AtLsn(var lsn)) {
            // Recovery stops at the first record starting at or after the LSN, so that record must
            // be readable whole; reading starts at the segment holding the LSN.
            Lsn scanFrom = Lsn.max(from, lsn.segmentStart(facts.segmentSize()));
            WalRecord[] first = new WalRecord[1];
            WalRecordReader reader = WalRecordReader.builder().build(record -> {
                if (first[0] == null && !record.start().isBefore(lsn) && record.start().isBefore(to)) {
                    first[0] = record;
                }
            });
            if (!to.isAfter(scanFrom) || !scan(path, scanFrom, to, reader, () -> first[0] != null)) {
                return Optional.empty();
            }
            WalRecord record = first[0];
            return Optional.of(new StopRecord(record.start(), record.end(), Optional.empty(),
                    "first record at or after %s, at %s on timeline %s".formatted(lsn, record.start(),
                            record.timeline())));
        }
        WalTargetEvent[] found = new WalTargetEvent[1];
        WalRecordReader reader = WalTargetEvents.reader(event -> {
            if (found[0] == null && !event.start().isBefore(from) && event.start().isBefore(to)
                    && matches(target, inclusive, event)) {
                found[0] = event;
            }
        });
        return scan(path, from, to, reader, () -> found[0] != null)
                ? Optional.of(stopRecord(found[0])) : Optional.empty();
    }

    /** Feeds the files holding {@code [from, to)} along {@code path} to {@code reader} until {@code found}. */
    private boolean scan(TimelineHistory path, Lsn from, Lsn to, WalRecordReader reader,
                         java.util.function.BooleanSupplier found) {
        WalCoverage coverage = WalCoveragePlanner.plan(path, facts.segmentSize(), from, to, facts.wal());
        for (WalSegmentRow row : coverage.segments()) {
            StoredWal stored = repository.findWal(facts.cluster(), row.segment(), row.partial())
                    .orElseThrow(() -> new CellarException(ErrorCode.RESTORE_FAILED, "WAL file %s of cluster %s is"
                            .formatted(row.fileName(), facts.cluster()) + " catalogued but not in the repository",
                            "rebuild the catalog from the repository"));
            try (InputStream in = repository.openWal(stored)) {
                if (row.partial()) {
                    reader.readPartialSegment(row.segment(), in);
                } else {
                    reader.readSegment(row.segment(), in);
                }
            } catch (IOException e) {
                throw new CellarException(ErrorCode.STORAGE_FAILED, "cannot read WAL file %s of cluster %s: %s"
                        .formatted(row.fileName(), facts.cluster(), e), null, e);
            }
            if (found.getAsBoolean()) {
                return true;
            }
            if (row.partial()) {
                break; // a partial file is the last the reader takes
            }
        }
        return false;
    }

    static boolean matches(RecoveryTarget target, boolean inclusive, WalTargetEvent event) {
        return switch (target) {
            case RecoveryTarget.AtTime(var time) -> event instanceof WalTargetEvent.TransactionEnd end
                    && (inclusive ? end.time().isAfter(time) : !end.time().isBefore(time));
            case RecoveryTarget.AtXid x -> event instanceof WalTargetEvent.TransactionEnd end && end.xid() == x.xid32();
            case RecoveryTarget.AtName(var name) -> event instanceof WalTargetEvent.RestorePoint point
                    && point.name().equals(name);
            default -> false;
        };
    }

    static StopRecord stopRecord(WalTargetEvent event) {
        String description = switch (event) {
            case WalTargetEvent.TransactionEnd end -> "%s of transaction %d at %s (%s on timeline %s)".formatted(
                    end.committed() ? "commit" : "abort", end.xid(), end.time(), end.start(), end.timeline());
            case WalTargetEvent.RestorePoint point -> "restore point \"%s\" created at %s (%s on timeline %s)"
                    .formatted(point.name(), point.time(), point.start(), point.timeline());
        };
        return new StopRecord(event.start(), event.end(), Optional.of(event.time()), description);
    }
}
