package dev.cellar.core;

import java.util.Objects;
import java.util.Optional;

/**
 * Recognises the names of the files PostgreSQL keeps beside WAL segments (xlog_internal.h
 * {@code IsXLogFileName}, {@code IsPartialXLogFileName}, {@code IsTLHistoryFileName},
 * {@code IsBackupHistoryFileName}). Hex digits must be upper case, as the server writes and
 * matches them.
 *
 * <p>Compressed variants ({@code .gz}, {@code .zst}, …) are a storage concern and are not
 * recognised here. Stateless and thread-safe.
 */
public final class WalFileNames {

    private static final String HISTORY_SUFFIX = ".history";
    private static final String BACKUP_SUFFIX = ".backup";
    private static final int TIMELINE_HEX_LENGTH = 8;
    private static final int OFFSET_HEX_LENGTH = 8;
    private static final int BACKUP_NAME_LENGTH =
            WalSegmentName.NAME_LENGTH + 1 + OFFSET_HEX_LENGTH + BACKUP_SUFFIX.length();

    private WalFileNames() {
    }

    /**
     * What {@code fileName} (a bare name, no directory) denotes.
     *
     * @param size the cluster's segment size, needed to split a segment name's fields
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} naming the text if it is none of the known kinds
     * @throws NullPointerException if an argument is null
     */
    public static WalFileKind parse(String fileName, WalSegmentSize size) {
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(size, "size");
        if (fileName.length() == WalSegmentName.NAME_LENGTH) {
            return new WalFileKind.Segment(WalSegmentName.parse(fileName, size));
        }
        if (fileName.endsWith(WalSegmentName.PARTIAL_SUFFIX)
                && fileName.length() == WalSegmentName.NAME_LENGTH + WalSegmentName.PARTIAL_SUFFIX.length()) {
            return new WalFileKind.PartialSegment(
                    WalSegmentName.parse(fileName.substring(0, WalSegmentName.NAME_LENGTH), size));
        }
        if (fileName.endsWith(HISTORY_SUFFIX)
                && fileName.length() == TIMELINE_HEX_LENGTH + HISTORY_SUFFIX.length()) {
            return new WalFileKind.History(TimelineId.fromHex(fileName.substring(0, TIMELINE_HEX_LENGTH)));
        }
        if (fileName.endsWith(BACKUP_SUFFIX) && fileName.length() == BACKUP_NAME_LENGTH
                && fileName.charAt(WalSegmentName.NAME_LENGTH) == '.') {
            return parseBackupHistory(fileName, size);
        }
        throw new CellarException(ErrorCode.INVALID_VALUE,
                ("invalid WAL file name \"%s\": expected a segment (000000010000000000000003), a partial segment "
                        + "(000000010000000000000003.partial), a history file (00000002.history) or a backup history "
                        + "file (000000010000000000000003.00000028.backup)").formatted(fileName));
    }

    /** Like {@link #parse}, but empty instead of throwing for a name that is not a valid WAL file name. */
    public static Optional<WalFileKind> tryParse(String fileName, WalSegmentSize size) {
        try {
            return Optional.of(parse(fileName, size));
        } catch (CellarException e) {
            return Optional.empty();
        }
    }

    private static WalFileKind parseBackupHistory(String fileName, WalSegmentSize size) {
        WalSegmentName segment = WalSegmentName.parse(fileName.substring(0, WalSegmentName.NAME_LENGTH), size);
        int offsetStart = WalSegmentName.NAME_LENGTH + 1;
        int offsetEnd = offsetStart + OFFSET_HEX_LENGTH;
        if (!HexDigits.isUpperHex(fileName, offsetStart, offsetEnd)) {
            throw new CellarException(ErrorCode.INVALID_VALUE,
                    "invalid backup history file name \"%s\": expected 8 upper-case hexadecimal digits between the dots"
                            .formatted(fileName));
        }
        long offset = Long.parseLong(fileName, offsetStart, offsetEnd, 16);
        if (offset >= size.bytes()) {
            throw new CellarException(ErrorCode.INVALID_VALUE,
                    "invalid backup history file name \"%s\": offset %08X is not inside a %s segment"
                            .formatted(fileName, offset, size));
        }
        return new WalFileKind.BackupHistory(segment, segment.startLsn().plus(offset));
    }
}
