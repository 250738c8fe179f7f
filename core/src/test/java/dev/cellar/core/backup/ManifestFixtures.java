package dev.cellar.core.backup;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Manifests written by hand in PostgreSQL's exact layout (backup_manifest.c), each completed with
 * its Manifest-Checksum computed here, independently of the code under test.
 */
final class ManifestFixtures {

    /** As PostgreSQL 16 writes it: version 1, no System-Identifier. */
    static final String PG16_BODY = """
            { "PostgreSQL-Backup-Manifest-Version": 1,
            "Files": [
            { "Path": "backup_label", "Size": 225, "Last-Modified": "2026-11-21 10:00:00 GMT", "Checksum-Algorithm": "CRC32C", "Checksum": "8c6a2a4e" },
            { "Path": "PG_VERSION", "Size": 3, "Last-Modified": "2026-01-02 03:04:05 GMT", "Checksum-Algorithm": "CRC32C", "Checksum": "0fe5a0b1" },
            { "Path": "base/5/16384", "Size": 8192, "Last-Modified": "2026-11-21 09:59:58 GMT", "Checksum-Algorithm": "CRC32C", "Checksum": "7d3c2b1a" },
            { "Path": "global/pg_control", "Size": 8192, "Last-Modified": "2026-11-21 10:00:01 GMT", "Checksum-Algorithm": "CRC32C", "Checksum": "e1f2a3b4" }
            ],
            "WAL-Ranges": [
            { "Timeline": 1, "Start-LSN": "0/2000028", "End-LSN": "0/2000100" }
            ],
            """;

    /**
     * As PostgreSQL 17 writes it for an incremental backup taken after a promotion: version 2,
     * SHA256 checksums, an incremental file, a tablespace file, an Encoded-Path and two timelines.
     */
    static final String PG17_BODY = """
            { "PostgreSQL-Backup-Manifest-Version": 2,
            "System-Identifier": 7436923442837046512,
            "Files": [
            { "Path": "backup_label", "Size": 264, "Last-Modified": "2026-11-22 03:00:00 GMT", "Checksum-Algorithm": "SHA256", "Checksum": "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae" },
            { "Path": "base/5/INCREMENTAL.16384", "Size": 16384, "Last-Modified": "2026-11-22 02:59:58 GMT", "Checksum-Algorithm": "SHA256", "Checksum": "fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9" },
            { "Path": "pg_tblspc/16385/PG_17_202406281/5/16390", "Size": 0, "Last-Modified": "2026-11-22 02:00:00 GMT", "Checksum-Algorithm": "SHA256", "Checksum": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
            { "Encoded-Path": "636166e92e636f6e66", "Size": 12, "Last-Modified": "1999-12-31 23:59:59 GMT", "Checksum-Algorithm": "SHA256", "Checksum": "baa5a0964d3320fbc0c6a922140453c8513ea24ab8fd0577034804a967248096" },
            { "Path": "global/pg_control", "Size": 8192, "Last-Modified": "2026-11-22 03:00:01 GMT", "Checksum-Algorithm": "SHA256", "Checksum": "486ea46224d1bb4fb680f34f7c9ad96a8f24ec88be73ea8e5a6c65260e9cb8a7" }
            ],
            "WAL-Ranges": [
            { "Timeline": 2, "Start-LSN": "0/5000000", "End-LSN": "0/6000100" },
            { "Timeline": 1, "Start-LSN": "0/4000028", "End-LSN": "0/5000000" }
            ],
            """;

    private ManifestFixtures() {
    }

    /** {@code body} (which ends with the newline before the last line) plus its checksum line. */
    static String withChecksum(String body) {
        return body + "\"Manifest-Checksum\": \"" + sha256(body) + "\"}\n";
    }

    static byte[] manifest(String body) {
        return withChecksum(body).getBytes(UTF_8);
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
