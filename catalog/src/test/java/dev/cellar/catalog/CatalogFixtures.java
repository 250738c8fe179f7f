package dev.cellar.catalog;

import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;
import dev.cellar.core.WalSegmentName;
import dev.cellar.core.WalSegmentSize;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;

/** Rows for tests, with defaults for everything a test does not care about. */
final class CatalogFixtures {
    static final String CLUSTER = "c1";
    static final long SYSTEM_IDENTIFIER = 7_441_234_567_890_123_456L;
    static final WalSegmentSize SEGMENT_SIZE = WalSegmentSize.DEFAULT;
    static final Instant T0 = Instant.parse("2026-11-21T06:43:00.123456Z");

    private CatalogFixtures() {
    }

    static ClusterRow registerCluster(Catalog catalog) {
        return catalog.clusters().register(CLUSTER, SYSTEM_IDENTIFIER, 17, SEGMENT_SIZE, T0);
    }

    /** A lower-case SHA-256 that differs for each seed. */
    static String sha(String seed) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static WalSegmentName segment(long timeline, long number) {
        return new WalSegmentName(TimelineId.of(timeline), number, SEGMENT_SIZE);
    }

    /** The complete segment {@code number} of {@code timeline}, catalogued locally. */
    static WalSegmentRow wal(long timeline, long number) {
        return wal(CLUSTER, timeline, number, "content " + timeline + "/" + number);
    }

    static WalSegmentRow wal(String cluster, long timeline, long number, String content) {
        WalSegmentName name = segment(timeline, number);
        return new WalSegmentRow(cluster, name, false, name.endLsn(), SEGMENT_SIZE.bytes(), sha(content), 1000 + number,
                sha("stored " + content), "zstd", "clusters/%s/wal/%s/%s.zst".formatted(cluster, name.timeline().toHex(),
                name.fileName()), true, false, T0);
    }

    /** The partial file of segment {@code number} of {@code timeline}, holding WAL up to {@code end}. */
    static WalSegmentRow partialWal(long timeline, long number, Lsn end) {
        WalSegmentName name = segment(timeline, number);
        String content = "partial " + timeline + "/" + number;
        return new WalSegmentRow(CLUSTER, name, true, end, SEGMENT_SIZE.bytes(), sha(content), 500,
                sha("stored " + content), "zstd", "clusters/%s/wal/%s/%s.zst".formatted(CLUSTER,
                name.timeline().toHex(), name.partialFileName()), true, false, T0);
    }

    /** A complete full backup of {@link #CLUSTER} from {@code start} to {@code end} on {@code timeline}. */
    static BackupRow fullBackup(String id, long timeline, Lsn start, Lsn end, Instant endTime) {
        return backup(id, BackupKind.FULL, Optional.empty(), timeline, start, end, endTime, BackupStatus.COMPLETE);
    }

    static BackupRow incrementalBackup(String id, String parent, long timeline, Lsn start, Lsn end, Instant endTime) {
        return backup(id, BackupKind.INCREMENTAL, Optional.of(parent), timeline, start, end, endTime,
                BackupStatus.COMPLETE);
    }

    static BackupRow backup(String id, BackupKind kind, Optional<String> parent, long timeline, Lsn start, Lsn end,
                            Instant endTime, BackupStatus status) {
        TimelineId tli = TimelineId.of(timeline);
        return new BackupRow(id, CLUSTER, kind, parent, "cellar " + id, start, tli, Optional.of(end), Optional.of(tli),
                Optional.of(start), endTime.minusSeconds(60), Optional.of(endTime), 170002, BackupOrigin.PRIMARY,
                1_000_000, 300_000, status, Optional.empty(), Optional.empty(), false);
    }

    /** A backup that has started and knows nothing of its end yet. */
    static BackupRow runningBackup(String id, Lsn start, Instant startTime) {
        return new BackupRow(id, CLUSTER, BackupKind.FULL, Optional.empty(), "cellar " + id, start, TimelineId.INITIAL,
                Optional.empty(), Optional.empty(), Optional.empty(), startTime, Optional.empty(), 170002,
                BackupOrigin.STANDBY, 0, 0, BackupStatus.RUNNING, Optional.empty(), Optional.empty(), false);
    }

    static Lsn lsn(String text) {
        return Lsn.parse(text);
    }
}
