package dev.cellar.restore.combine;

import dev.cellar.core.backup.ChecksumAlgorithm;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The full copy of a relation segment that reconstruction starts from: the newest backup of the
 * chain that holds the file not as {@code INCREMENTAL.<name>}, already unpacked to a local file.
 *
 * <p>The manifest checksum is what that backup's {@code backup_manifest} says about the file. It is
 * reused, without reading the file, when the file turns out unchanged and the algorithms match
 * (as pg_combinebackup does); give {@link ChecksumAlgorithm#NONE} and {@code ""} when unknown.
 *
 * @param backupId                the backup the copy comes from, for messages
 * @param path                    the unpacked local file; read only, never modified
 * @param manifestAlgorithm       the algorithm of {@code manifestChecksumHex}
 * @param manifestChecksumHex     the file's checksum in that backup's manifest, lower-case hex; empty with NONE
 */
public record BaseFile(String backupId, Path path, ChecksumAlgorithm manifestAlgorithm, String manifestChecksumHex) {

    /**
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if the checksum does not have the algorithm's length
     */
    public BaseFile {
        Objects.requireNonNull(backupId, "backupId");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(manifestAlgorithm, "manifestAlgorithm");
        Objects.requireNonNull(manifestChecksumHex, "manifestChecksumHex");
        if (manifestChecksumHex.length() != manifestAlgorithm.hexLength()) {
            throw new IllegalArgumentException("a %s checksum has %d hex digits, not %d (\"%s\")".formatted(
                    manifestAlgorithm, manifestAlgorithm.hexLength(), manifestChecksumHex.length(), manifestChecksumHex));
        }
    }

    /** A base whose manifest checksum is not known. */
    public BaseFile(String backupId, Path path) {
        this(backupId, path, ChecksumAlgorithm.NONE, "");
    }
}
