package dev.cellar.core.backup;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class BackupManifestWriterTest {

    private static final Instant TIME = Instant.parse("2026-11-21T10:00:00Z");
    private static final List<WalRange> RANGES = List.of(
            new WalRange(TimelineId.of(3), Lsn.parse("1/A0000000"), Lsn.parse("1/A0000100")),
            new WalRange(TimelineId.of(2), Lsn.parse("0/2000028"), Lsn.parse("1/A0000000")));

    @Test
    void writesThePostgresLayoutWithEscapesAndEncodedPaths() {
        String weird = "base/5/a\"b\\c\td\u0001e\u007ff\u00e9g\nh\ri\bj\fk";
        BackupManifest manifest = BackupManifest.version2(7436923442837046512L, List.of(
                ManifestFile.of("backup_label", 227, TIME, ChecksumAlgorithm.CRC32C, "839206e3"),
                ManifestFile.of(weird, 0, Instant.parse("1970-01-01T00:00:00Z"), ChecksumAlgorithm.NONE, ""),
                ManifestFile.ofBytes(new byte[] {'c', 'a', 'f', (byte) 0xe9}, 12, Instant.parse("0999-01-02T03:04:05Z"),
                        ChecksumAlgorithm.SHA224, "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7")),
                RANGES);

        String body = """
                { "PostgreSQL-Backup-Manifest-Version": 2,
                "System-Identifier": 7436923442837046512,
                "Files": [
                { "Path": "backup_label", "Size": 227, "Last-Modified": "2026-11-21 10:00:00 GMT", "Checksum-Algorithm": "CRC32C", "Checksum": "839206e3" },
                { "Path": "base/5/a\\"b\\\\c\\td\\u0001e\u007ff\u00e9g\\nh\\ri\\bj\\fk", "Size": 0, "Last-Modified": "1970-01-01 00:00:00 GMT" },
                { "Encoded-Path": "636166e9", "Size": 12, "Last-Modified": "0999-01-02 03:04:05 GMT", "Checksum-Algorithm": "SHA224", "Checksum": "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7" }
                ],
                "WAL-Ranges": [
                { "Timeline": 3, "Start-LSN": "1/A0000000", "End-LSN": "1/A0000100" },
                { "Timeline": 2, "Start-LSN": "0/2000028", "End-LSN": "1/A0000000" }
                ],
                """;
        byte[] written = manifest.write();

        assertThat(new String(written, UTF_8)).isEqualTo(ManifestFixtures.withChecksum(body));
        assertThat(BackupManifest.parse(written, "written")).isEqualTo(manifest);
        assertThat(BackupManifest.parse(written, "written").file("caf\uFFFD").orElseThrow().rawPath())
                .containsExactly('c', 'a', 'f', 0xe9);
    }

    @Test
    void writesVersion1AndEmptyLists() {
        BackupManifest manifest = BackupManifest.of(1, OptionalLong.empty(), List.of(), List.of());

        String body = """
                { "PostgreSQL-Backup-Manifest-Version": 1,
                "Files": [
                ],
                "WAL-Ranges": [

                ],
                """;
        assertThat(new String(manifest.write(), UTF_8)).isEqualTo(ManifestFixtures.withChecksum(body));
        assertThat(BackupManifest.parse(manifest.write(), "written")).isEqualTo(manifest);
    }

    @Test
    void everyControlCharacterIsEscapedAsPostgresDoes() {
        StringBuilder out = new StringBuilder();
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < 0x20; c++) {
            all.append(c);
        }
        all.append(" ~\u007f\u00e9\u20ac\ud83d\ude00");
        BackupManifestWriter.escapeJson(out, all.toString());

        assertThat(out.toString()).isEqualTo("\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n"
                + "\\u000b\\f\\r\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019"
                + "\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f ~\u007f\u00e9\u20ac\ud83d\ude00\"");
    }

    @Test
    void roundTripsEveryAlgorithmAndTimelinesAboveTheSignedRange() {
        List<ManifestFile> files = List.of(
                ManifestFile.of("a", 1, TIME, ChecksumAlgorithm.SHA256, ManifestChecksums.hex(ChecksumAlgorithm.SHA256, new byte[1])),
                ManifestFile.of("b", 1, TIME, ChecksumAlgorithm.SHA384, ManifestChecksums.hex(ChecksumAlgorithm.SHA384, new byte[1])),
                ManifestFile.of("c", Long.MAX_VALUE, TIME, ChecksumAlgorithm.SHA512, ManifestChecksums.hex(ChecksumAlgorithm.SHA512, new byte[1])),
                ManifestFile.of("d/\u00e9t\u00e9", 0, TIME, ChecksumAlgorithm.NONE, ""));
        BackupManifest manifest = BackupManifest.version2(-2L, files,
                List.of(new WalRange(TimelineId.of(4294967295L), Lsn.of(-2L), Lsn.of(-1L))));

        byte[] written = manifest.write();
        assertThat(BackupManifest.parse(written, "written")).isEqualTo(manifest);
        assertThat(new String(written, UTF_8))
                .contains("\"System-Identifier\": 18446744073709551614,\n")
                .contains("{ \"Timeline\": 4294967295, \"Start-LSN\": \"FFFFFFFF/FFFFFFFE\", \"End-LSN\": \"FFFFFFFF/FFFFFFFF\" }");
    }
}
