package dev.cellar.config;

/**
 * The file checksums a base backup's manifest carries ({@code manifest_checksums}), as
 * pg_basebackup's {@code --manifest-checksums}: every received file is compared with them, and
 * the backup's file index keeps them for restore to verify. CRC-32C is PostgreSQL's default and
 * costs the server almost nothing; the SHA-2 ones cost it CPU for every byte sent. Stored chunks
 * carry their own SHA-256 whatever is chosen here.
 */
public enum ManifestChecksums {
    CRC32C,
    SHA224,
    SHA256,
    SHA384,
    SHA512;

    /** The word as written in configuration, e.g. {@code crc32c}. */
    public String keyword() {
        return Choices.keyword(this);
    }
}
