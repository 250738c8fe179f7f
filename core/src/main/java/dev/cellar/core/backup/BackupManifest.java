package dev.cellar.core.backup;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SequencedMap;

/**
 * A PostgreSQL {@code backup_manifest}: what a base backup contains and which WAL it needs.
 *
 * <p>Version 1 is written by PostgreSQL 13–16, version 2 by 17 and later; version 2 adds
 * {@code "System-Identifier"}. Rules, checked on construction: the version is 1 or 2; a version 2
 * manifest has a system identifier and a version 1 manifest has none (PostgreSQL's parser accepts
 * either way and leaves the check to its callers; Cellar checks it here); no two files have the
 * same {@link ManifestFile#path()} ({@code pg_verifybackup}: "duplicate path name in backup
 * manifest").
 *
 * <p>The system identifier is an unsigned 64-bit number held in a {@code long}: compare with
 * {@code ==}, print with {@link Long#toUnsignedString(long)} (as the catalog does).
 *
 * <p>Not a record because it keeps an index of the files by path. Immutable and thread-safe; no
 * method accepts or returns {@code null}. {@code equals} compares the four values below, so a
 * parsed manifest equals the one it was written from.
 */
public final class BackupManifest {

    /** The manifest's file name in a data directory and in a BASE_BACKUP stream. */
    public static final String FILE_NAME = "backup_manifest";

    private final int version;
    private final OptionalLong systemIdentifier;
    private final List<ManifestFile> files;
    private final List<WalRange> walRanges;
    private final SequencedMap<String, ManifestFile> filesByPath;

    private BackupManifest(int version, OptionalLong systemIdentifier, List<ManifestFile> files,
                           List<WalRange> walRanges) {
        Objects.requireNonNull(systemIdentifier, "systemIdentifier");
        this.files = List.copyOf(files);
        this.walRanges = List.copyOf(walRanges);
        if (version != 1 && version != 2) {
            throw invalid("unsupported manifest version %d: expected 1 (PostgreSQL 13 to 16) or 2 (PostgreSQL 17 and later)"
                    .formatted(version));
        }
        if (version == 1 && systemIdentifier.isPresent()) {
            throw invalid("a version 1 manifest has no system identifier (version 2, PostgreSQL 17, added it)");
        }
        if (version == 2 && systemIdentifier.isEmpty()) {
            throw invalid("a version 2 manifest must have a system identifier");
        }
        SequencedMap<String, ManifestFile> byPath = new LinkedHashMap<>();
        for (ManifestFile file : this.files) {
            if (byPath.putIfAbsent(file.path(), file) != null) {
                throw invalid("the file \"%s\" is listed twice".formatted(file.path()));
            }
        }
        this.version = version;
        this.systemIdentifier = systemIdentifier;
        this.filesByPath = Collections.unmodifiableSequencedMap(byPath);
    }

    /**
     * A manifest with these values, for example the one Cellar writes for a combined backup.
     *
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} if the values break a rule in the class comment
     * @throws NullPointerException if an argument or element is null
     */
    public static BackupManifest of(int version, OptionalLong systemIdentifier, List<ManifestFile> files,
                                    List<WalRange> walRanges) {
        return new BackupManifest(version, systemIdentifier, files, walRanges);
    }

    /** A version 2 manifest (PostgreSQL 17 and later) of the cluster with {@code systemIdentifier}. */
    public static BackupManifest version2(long systemIdentifier, List<ManifestFile> files, List<WalRange> walRanges) {
        return new BackupManifest(2, OptionalLong.of(systemIdentifier), files, walRanges);
    }

    /**
     * Parses a manifest as PostgreSQL's {@code parse_manifest.c} does and verifies its
     * {@code "Manifest-Checksum"}: the SHA-256 of every byte up to and including the newline before
     * the last line. Stricter than PostgreSQL where no server output is affected: UTF-8 only; JSON
     * integers and strings where PostgreSQL takes any scalar; {@code Files}, {@code WAL-Ranges} and
     * every file's {@code Last-Modified} required; {@code System-Identifier} exactly in version 2;
     * {@code Checksum-Algorithm} and {@code Checksum} together, with the algorithm's length; no key
     * twice in an object and no path twice; relative paths without {@code .} or {@code ..} elements.
     * Checksums are kept in lower case, whatever case the file uses.
     *
     * @param bytes  the whole file
     * @param source what to call the file in messages, such as its repository path
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} naming the source, the line and the
     *                         problem, including a checksum mismatch
     */
    public static BackupManifest parse(byte[] bytes, String source) {
        return BackupManifestParser.parse(bytes, source);
    }

    /**
     * The manifest as PostgreSQL writes it, byte for byte (backup_manifest.c; pg_combinebackup's
     * write_manifest.c writes the same layout), with its {@code "Manifest-Checksum"}.
     */
    public byte[] write() {
        return BackupManifestWriter.write(this);
    }

    /** 1 (PostgreSQL 13–16) or 2 (17 and later). */
    public int version() {
        return version;
    }

    /** The cluster's system identifier (unsigned), present exactly in version 2 manifests. */
    public OptionalLong systemIdentifier() {
        return systemIdentifier;
    }

    /** The files, in manifest order. */
    public List<ManifestFile> files() {
        return files;
    }

    /** The WAL ranges, in manifest order (newest timeline first). */
    public List<WalRange> walRanges() {
        return walRanges;
    }

    /** The file listed under {@code path} (relative to the data directory), if any. */
    public Optional<ManifestFile> file(String path) {
        return Optional.ofNullable(filesByPath.get(path));
    }

    /** The files by {@link ManifestFile#path()}, in manifest order; unmodifiable. */
    public Map<String, ManifestFile> filesByPath() {
        return filesByPath;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof BackupManifest that
                && version == that.version && systemIdentifier.equals(that.systemIdentifier)
                && files.equals(that.files) && walRanges.equals(that.walRanges);
    }

    @Override
    public int hashCode() {
        return Objects.hash(version, systemIdentifier, files, walRanges);
    }

    @Override
    public String toString() {
        return "BackupManifest[version=%d, systemIdentifier=%s, %d files, walRanges=%s]".formatted(version,
                systemIdentifier.isPresent() ? Long.toUnsignedString(systemIdentifier.getAsLong()) : "none",
                files.size(), walRanges);
    }

    private static CellarException invalid(String problem) {
        return new CellarException(ErrorCode.INVALID_VALUE, "invalid backup manifest: " + problem);
    }
}
