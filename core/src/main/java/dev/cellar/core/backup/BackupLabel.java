package dev.cellar.core.backup;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The {@code backup_label} file of a base backup of PostgreSQL 15–18 (xlogbackup.c
 * {@code build_backup_content}):
 *
 * <pre>
 * START WAL LOCATION: 0/2000028 (file 000000010000000000000002)
 * CHECKPOINT LOCATION: 0/2000080
 * BACKUP METHOD: streamed
 * BACKUP FROM: primary
 * START TIME: 2026-11-21 10:00:00 UTC
 * LABEL: pg_basebackup base backup
 * START TIMELINE: 1
 * INCREMENTAL FROM LSN: 0/1000028     (17+, incremental backups only)
 * INCREMENTAL FROM TLI: 1             (17+, incremental backups only)
 * </pre>
 *
 * <p>Every line but the two {@code INCREMENTAL} ones is required; none may repeat; the file of the
 * start location must be on the start timeline; the two {@code INCREMENTAL} lines come together
 * (pg_combinebackup's {@code parse_backup_label} checks the same). Lines Cellar does not know are
 * kept in {@link #otherLines()} and in {@link #content()}, so a newer server's additions survive.
 *
 * <p>{@code START TIME} is printed in the server's {@code log_timezone} with its abbreviation, which
 * cannot be resolved reliably ({@code CST} has several meanings), so the text is kept as is and
 * {@link #startTime()} is present only when the zone is {@code UTC}, {@code GMT} or a numeric offset.
 *
 * <p>Not a record: everything is derived from the exact bytes, which are kept because
 * {@link #withoutIncrementalLines()} must reproduce them. Immutable; {@code equals} compares the bytes.
 */
public final class BackupLabel {

    /** The file's name in a data directory and in base.tar. */
    public static final String FILE_NAME = "backup_label";

    private final byte[] content;
    private final Lsn startWalLocation;
    private final String startWalFile;
    private final Lsn checkpointLocation;
    private final String backupMethod;
    private final BackupSource backupFrom;
    private final String startTimeText;
    private final String label;
    private final TimelineId startTimeline;
    private final Optional<Lsn> incrementalFromLsn;
    private final Optional<TimelineId> incrementalFromTimeline;
    private final List<String> otherLines;

    BackupLabel(byte[] content, Lsn startWalLocation, String startWalFile, Lsn checkpointLocation, String backupMethod,
                BackupSource backupFrom, String startTimeText, String label, TimelineId startTimeline,
                Optional<Lsn> incrementalFromLsn, Optional<TimelineId> incrementalFromTimeline, List<String> otherLines) {
        this.content = content.clone();
        this.startWalLocation = startWalLocation;
        this.startWalFile = startWalFile;
        this.checkpointLocation = checkpointLocation;
        this.backupMethod = backupMethod;
        this.backupFrom = backupFrom;
        this.startTimeText = startTimeText;
        this.label = label;
        this.startTimeline = startTimeline;
        this.incrementalFromLsn = incrementalFromLsn;
        this.incrementalFromTimeline = incrementalFromTimeline;
        this.otherLines = List.copyOf(otherLines);
    }

    /**
     * Parses a backup_label.
     *
     * @param content the file's bytes (UTF-8 is assumed where text is kept; the label may be in the
     *                client's encoding, in which case {@link #label()} has U+FFFD where bytes are not UTF-8)
     * @param source  what to call the file in messages, such as its repository path
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} naming the source, line and problem
     */
    public static BackupLabel parse(byte[] content, String source) {
        return BackupLabelFile.parse(content, source);
    }

    /** {@code START WAL LOCATION}: where replay must start (the redo pointer of the backup's checkpoint). */
    public Lsn startWalLocation() {
        return startWalLocation;
    }

    /** The WAL file named in {@code START WAL LOCATION}, such as {@code 000000010000000000000002}. */
    public String startWalFile() {
        return startWalFile;
    }

    /** {@code CHECKPOINT LOCATION}: the checkpoint record the backup started from. */
    public Lsn checkpointLocation() {
        return checkpointLocation;
    }

    /** {@code BACKUP METHOD}; {@code streamed} on every server 15–18. */
    public String backupMethod() {
        return backupMethod;
    }

    /** {@code BACKUP FROM}: a primary or a standby. */
    public BackupSource backupFrom() {
        return backupFrom;
    }

    /** {@code START TIME} exactly as written, such as {@code 2026-11-21 10:00:00 CET}. */
    public String startTimeText() {
        return startTimeText;
    }

    /** {@code START TIME} as an instant, when its zone is UTC, GMT or a numeric offset (see the class comment). */
    public Optional<Instant> startTime() {
        return BackupLabelFile.parseStartTime(startTimeText);
    }

    /** {@code LABEL}: the label given to the backup (may be empty). */
    public String label() {
        return label;
    }

    /** {@code START TIMELINE}. */
    public TimelineId startTimeline() {
        return startTimeline;
    }

    /** {@code INCREMENTAL FROM LSN}: the start location of the backup this one is incremental to. */
    public Optional<Lsn> incrementalFromLsn() {
        return incrementalFromLsn;
    }

    /** {@code INCREMENTAL FROM TLI}: the start timeline of the backup this one is incremental to. */
    public Optional<TimelineId> incrementalFromTimeline() {
        return incrementalFromTimeline;
    }

    /** Whether this is the label of a PostgreSQL 17+ incremental backup. */
    public boolean isIncremental() {
        return incrementalFromLsn.isPresent();
    }

    /** Lines Cellar does not interpret, in file order, without their newline. */
    public List<String> otherLines() {
        return otherLines;
    }

    /** The file's exact bytes; a copy. */
    public byte[] content() {
        return content.clone();
    }

    /**
     * The label pg_combinebackup writes for a backup combined from a chain ending in this one
     * ({@code write_backup_label}): these bytes with every line that starts with
     * {@code INCREMENTAL FROM LSN: } or {@code INCREMENTAL FROM TLI: } left out, nothing else changed.
     * For a label that is not incremental, an equal label.
     */
    public BackupLabel withoutIncrementalLines() {
        return BackupLabelFile.withoutIncrementalLines(this);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof BackupLabel that && Arrays.equals(content, that.content);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(content);
    }

    @Override
    public String toString() {
        return "BackupLabel[start=%s on timeline %s, checkpoint=%s, from=%s, label=%s%s]".formatted(startWalLocation,
                startTimeline, checkpointLocation, backupFrom.labelText(), label,
                isIncremental() ? ", incremental from %s on timeline %s".formatted(incrementalFromLsn.get(),
                        incrementalFromTimeline.orElseThrow()) : "");
    }

    // For BackupLabelFile, which must not copy the bytes once more per call.
    byte[] bytes() {
        return content;
    }
}
