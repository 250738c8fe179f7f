package dev.cellar.restore.combine;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.backup.IncrementalFile;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * One backup's {@code INCREMENTAL.<name>} file for the segment being rebuilt: its parsed header and
 * a stream positioned at its first page (pages follow in header order, strictly ascending block
 * numbers, {@link IncrementalFile#BLOCK_SIZE} bytes each).
 *
 * <p>{@link BlockReconstruction#reconstruct} reads the stream strictly forward to its end and
 * never closes it: the caller owns it.
 *
 * @param backupId the backup the file belongs to, for messages
 * @param header   the file's header
 * @param pages    the file's bytes after the header (and its padding)
 */
public record IncrementalLayer(String backupId, IncrementalFile header, InputStream pages) {

    public IncrementalLayer {
        Objects.requireNonNull(backupId, "backupId");
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(pages, "pages");
    }

    /**
     * Reads the header of an incremental file from the start of {@code in} (padding included), leaving
     * {@code in} at the first page. Blocks until the header is read; does not close {@code in}.
     *
     * @param backupId the backup the file belongs to
     * @param path     the file's path in the backup, for messages
     * @param in       the file's bytes from its start
     * @param fileSize the file's size as the backup records it
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} if the header is invalid or disagrees
     *                         with {@code fileSize}; {@link ErrorCode#OBJECT_CORRUPT} if the stream
     *                         ends inside the header; {@link ErrorCode#STORAGE_FAILED} if reading fails
     */
    public static IncrementalLayer read(String backupId, String path, InputStream in, long fileSize) {
        Objects.requireNonNull(backupId, "backupId");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(in, "in");
        try {
            byte[] fixed = in.readNBytes(IncrementalFile.FIXED_HEADER_LENGTH);
            int listEnd = IncrementalFile.headerBytesToRead(fixed, path);
            int headerLength = IncrementalFile.headerLength((listEnd - IncrementalFile.FIXED_HEADER_LENGTH) / Integer.BYTES);
            byte[] header = Arrays.copyOf(fixed, headerLength);
            int read = fixed.length + in.readNBytes(header, fixed.length, headerLength - fixed.length);
            IncrementalFile parsed = IncrementalFile.parseHeader(Arrays.copyOf(header, read), fileSize, path);
            if (read < headerLength) {
                throw new CellarException(ErrorCode.OBJECT_CORRUPT,
                        "incremental file %s of backup %s ends after %d bytes, inside its %d-byte header"
                                .formatted(path, backupId, read, headerLength),
                        "The stored copy is truncated; verify the backup and take a new one if it is damaged.");
            }
            return new IncrementalLayer(backupId, parsed, in);
        } catch (IOException e) {
            throw new CellarException(ErrorCode.STORAGE_FAILED,
                    "cannot read the header of incremental file %s of backup %s: %s".formatted(path, backupId, e.getMessage()),
                    "Check that the repository is reachable and readable, then retry.", e);
        }
    }
}
