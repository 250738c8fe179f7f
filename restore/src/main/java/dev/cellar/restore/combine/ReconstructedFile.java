package dev.cellar.restore.combine;

import dev.cellar.core.backup.ChecksumAlgorithm;
import java.util.Objects;

/**
 * The outcome of {@link BlockReconstruction#reconstruct}.
 *
 * @param size          the reconstructed file's length in bytes
 * @param algorithm     the algorithm of {@code checksumHex}, the one asked for
 * @param checksumHex   the checksum of the reconstructed content as a backup manifest prints it
 *                      ({@code ""} for {@link ChecksumAlgorithm#NONE})
 * @param baseUnchanged {@code true} when the result is byte for byte the base file: no output was
 *                      written, and the caller keeps the base file as the result
 */
public record ReconstructedFile(long size, ChecksumAlgorithm algorithm, String checksumHex, boolean baseUnchanged) {

    public ReconstructedFile {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(checksumHex, "checksumHex");
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size);
        }
    }
}
