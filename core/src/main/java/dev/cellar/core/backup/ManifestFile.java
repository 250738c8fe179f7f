package dev.cellar.core.backup;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * One entry of a backup manifest's {@code "Files"} list (backup_manifest.c
 * {@code AddFileToBackupManifest}).
 *
 * <p>Paths: the server writes {@code "Path"} when the file name is valid UTF-8 and
 * {@code "Encoded-Path"} (hex of the raw bytes) when it is not. {@link #path()} is always set; for a
 * name that is not UTF-8 it is the lossy decoding (malformed bytes become U+FFFD) and
 * {@link #rawPath()} holds the exact bytes, which are what the file is called on disk. A path that
 * is valid UTF-8 has {@code rawPath == null}, however it was written. See {@link ManifestPaths} for
 * the shape every path must have.
 *
 * <p>Checksums: {@code checksumHex} is lower-case hex of exactly
 * {@link ChecksumAlgorithm#hexLength()} digits, or {@code ""} with {@link ChecksumAlgorithm#NONE}.
 *
 * <p>{@code lastModified} has whole seconds and a year from 0000 to 9999, because the manifest
 * stores {@code YYYY-MM-DD HH:MM:SS GMT}.
 *
 * <p>Immutable: the byte array is copied in and out. {@code equals} compares its contents.
 *
 * @param path         the path relative to the data directory, {@code /}-separated
 * @param rawPath      the exact name bytes when they are not valid UTF-8; otherwise {@code null}
 * @param size         the size in bytes as backed up (for an incremental file, the incremental file's size)
 * @param lastModified the file's modification time as the server saw it
 * @param algorithm    the checksum algorithm, {@link ChecksumAlgorithm#NONE} when there is none
 * @param checksumHex  the checksum, lower-case hex; empty when there is none
 */
public record ManifestFile(String path, byte[] rawPath, long size, Instant lastModified,
                           ChecksumAlgorithm algorithm, String checksumHex) {

    private static final int MAX_YEAR = 9999;

    /**
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} if a value breaks a rule in the class comment
     * @throws NullPointerException if an argument other than {@code rawPath} is null
     */
    public ManifestFile {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(lastModified, "lastModified");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(checksumHex, "checksumHex");
        if (rawPath != null) {
            rawPath = rawPath.clone();
            if (ManifestPaths.isUtf8(rawPath)) {
                throw invalid(path, "rawPath is valid UTF-8; give the name as path only");
            }
            if (!path.equals(ManifestPaths.decodeLossily(rawPath))) {
                throw invalid(path, "path is not the UTF-8 decoding of rawPath");
            }
        }
        Optional<String> pathProblem = ManifestPaths.problem(path);
        if (pathProblem.isPresent()) {
            throw invalid(path, pathProblem.get());
        }
        if (size < 0) {
            throw invalid(path, "the size %d is negative".formatted(size));
        }
        if (lastModified.getNano() != 0) {
            throw invalid(path, "the modification time %s has a fraction of a second; the manifest stores whole seconds"
                    .formatted(lastModified));
        }
        int year = lastModified.atOffset(ZoneOffset.UTC).getYear();
        if (year < 0 || year > MAX_YEAR) {
            throw invalid(path, "the modification time %s is outside the years 0000 to 9999".formatted(lastModified));
        }
        Optional<String> checksumProblem = checksumProblem(algorithm, checksumHex);
        if (checksumProblem.isPresent()) {
            throw invalid(path, checksumProblem.get());
        }
    }

    /** A file whose name is valid UTF-8 (the common case). */
    public static ManifestFile of(String path, long size, Instant lastModified, ChecksumAlgorithm algorithm,
                                  String checksumHex) {
        return new ManifestFile(path, null, size, lastModified, algorithm, checksumHex);
    }

    /** A file named by its exact bytes; {@link #rawPath()} keeps them only if they are not valid UTF-8. */
    public static ManifestFile ofBytes(byte[] pathBytes, long size, Instant lastModified, ChecksumAlgorithm algorithm,
                                       String checksumHex) {
        byte[] raw = ManifestPaths.isUtf8(pathBytes) ? null : pathBytes;
        return new ManifestFile(ManifestPaths.decodeLossily(pathBytes), raw, size, lastModified, algorithm,
                checksumHex);
    }

    static Optional<String> checksumProblem(ChecksumAlgorithm algorithm, String checksumHex) {
        if (algorithm == ChecksumAlgorithm.NONE) {
            return checksumHex.isEmpty() ? Optional.empty()
                    : Optional.of("a checksum \"%s\" is given without an algorithm".formatted(checksumHex));
        }
        if (checksumHex.length() != algorithm.hexLength() || !Hex.isLowerHex(checksumHex)) {
            return Optional.of("the %s checksum \"%s\" is not %d lower-case hexadecimal digits"
                    .formatted(algorithm.pgName(), checksumHex, algorithm.hexLength()));
        }
        return Optional.empty();
    }

    /** The exact name bytes if they are not valid UTF-8, else {@code null}; a copy. */
    @Override
    public byte[] rawPath() {
        return rawPath == null ? null : rawPath.clone();
    }

    /** The name's bytes as on disk: {@link #rawPath()} if set, else {@link #path()} in UTF-8. */
    public byte[] pathBytes() {
        return rawPath == null ? path.getBytes(StandardCharsets.UTF_8) : rawPath.clone();
    }

    /** Whether the manifest has a checksum for this file. */
    public boolean hasChecksum() {
        return algorithm != ChecksumAlgorithm.NONE;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ManifestFile that
                && path.equals(that.path) && Arrays.equals(rawPath, that.rawPath) && size == that.size
                && lastModified.equals(that.lastModified) && algorithm == that.algorithm
                && checksumHex.equals(that.checksumHex);
    }

    @Override
    public int hashCode() {
        return Objects.hash(path, Arrays.hashCode(rawPath), size, lastModified, algorithm, checksumHex);
    }

    @Override
    public String toString() {
        return "ManifestFile[path=%s%s, size=%d, lastModified=%s, algorithm=%s, checksumHex=%s]".formatted(path,
                rawPath == null ? "" : " (raw " + Hex.lower(rawPath) + ")", size, lastModified, algorithm, checksumHex);
    }

    private static CellarException invalid(String path, String problem) {
        return new CellarException(ErrorCode.INVALID_VALUE,
                "invalid backup manifest entry \"%s\": %s".formatted(path, problem));
    }
}
