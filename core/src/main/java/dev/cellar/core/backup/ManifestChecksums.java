package dev.cellar.core.backup;

import java.nio.charset.StandardCharsets;

/**
 * The checksums a backup manifest uses: per-file checksums in the algorithm the backup was taken
 * with, and the manifest's own {@code "Manifest-Checksum"}, always SHA-256 (backup_manifest.c
 * {@code SendBackupManifest}, parse_manifest.c {@code verify_manifest_checksum}).
 */
public final class ManifestChecksums {

    private ManifestChecksums() {
    }

    /** A new running checksum for {@code algorithm}: feed it a file's bytes, then read {@link FileChecksum#hex()}. */
    public static FileChecksum start(ChecksumAlgorithm algorithm) {
        return new FileChecksum(algorithm);
    }

    /** The manifest's {@code "Checksum"} value for a file whose whole content is {@code bytes}. */
    public static String hex(ChecksumAlgorithm algorithm, byte[] bytes) {
        return start(algorithm).update(bytes).hex();
    }

    /**
     * The {@code "Manifest-Checksum"} of a manifest whose bytes before its last line (the one that
     * holds the checksum) are {@code covered}: the SHA-256 of exactly those bytes, which end with
     * the newline before the last line.
     */
    static String selfChecksum(byte[] covered, int length) {
        return start(ChecksumAlgorithm.SHA256).update(covered, 0, length).hex();
    }

    /** {@link #selfChecksum(byte[], int)} of text as UTF-8. */
    static String selfChecksum(String covered) {
        byte[] bytes = covered.getBytes(StandardCharsets.UTF_8);
        return selfChecksum(bytes, bytes.length);
    }
}
