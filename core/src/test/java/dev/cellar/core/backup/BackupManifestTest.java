package dev.cellar.core.backup;

import static dev.cellar.core.backup.ManifestFixtures.PG16_BODY;
import static dev.cellar.core.backup.ManifestFixtures.PG17_BODY;
import static dev.cellar.core.backup.ManifestFixtures.manifest;
import static dev.cellar.core.backup.ManifestFixtures.withChecksum;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class BackupManifestTest {

    private static final String SOURCE = "c1/full-1/backup_manifest";

    private static BackupManifest parse(String body) {
        return BackupManifest.parse(manifest(body), SOURCE);
    }

    private static void assertInvalid(byte[] bytes, String message) {
        assertThatThrownBy(() -> BackupManifest.parse(bytes, SOURCE))
                .isInstanceOfSatisfying(CellarException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_VALUE);
                    assertThat(e.hint()).isPresent();
                })
                .hasMessage(message);
    }

    /** {@code body} with a correct checksum, so that the error is the one the test is about. */
    private static void assertInvalid(String body, String message) {
        assertInvalid(manifest(body), message);
    }

    @Test
    void parsesAVersion1ManifestOfPostgres16() {
        BackupManifest manifest = parse(PG16_BODY);

        assertThat(manifest.version()).isEqualTo(1);
        assertThat(manifest.systemIdentifier()).isEmpty();
        assertThat(manifest.files()).extracting(ManifestFile::path)
                .containsExactly("backup_label", "PG_VERSION", "base/5/16384", "global/pg_control");
        assertThat(manifest.file("PG_VERSION")).contains(ManifestFile.of("PG_VERSION", 3,
                Instant.parse("2026-01-02T03:04:05Z"), ChecksumAlgorithm.CRC32C, "0fe5a0b1"));
        assertThat(manifest.walRanges()).containsExactly(
                new WalRange(TimelineId.of(1), Lsn.parse("0/2000028"), Lsn.parse("0/2000100")));
    }

    @Test
    void parsesAVersion2ManifestOfPostgres17() {
        BackupManifest manifest = parse(PG17_BODY);

        assertThat(manifest.version()).isEqualTo(2);
        assertThat(manifest.systemIdentifier()).hasValue(7436923442837046512L);
        assertThat(manifest.files()).hasSize(5);
        ManifestFile incremental = manifest.file("base/5/INCREMENTAL.16384").orElseThrow();
        assertThat(incremental.size()).isEqualTo(16384);
        assertThat(incremental.algorithm()).isEqualTo(ChecksumAlgorithm.SHA256);
        assertThat(incremental.checksumHex()).isEqualTo("fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9");
        assertThat(incremental.rawPath()).isNull();
        assertThat(manifest.file("pg_tblspc/16385/PG_17_202406281/5/16390")).isPresent();
        assertThat(manifest.file("base/5/16384")).isEmpty();
        assertThat(manifest.filesByPath().keySet()).containsExactly("backup_label", "base/5/INCREMENTAL.16384",
                "pg_tblspc/16385/PG_17_202406281/5/16390", "caf\uFFFD.conf", "global/pg_control");
        assertThat(manifest.walRanges()).containsExactly(
                new WalRange(TimelineId.of(2), Lsn.parse("0/5000000"), Lsn.parse("0/6000100")),
                new WalRange(TimelineId.of(1), Lsn.parse("0/4000028"), Lsn.parse("0/5000000")));
    }

    @Test
    void anEncodedPathThatIsNotUtf8KeepsItsBytes() {
        ManifestFile file = parse(PG17_BODY).file("caf\uFFFD.conf").orElseThrow();

        assertThat(file.rawPath()).containsExactly(0x63, 0x61, 0x66, 0xe9, 0x2e, 0x63, 0x6f, 0x6e, 0x66);
        assertThat(file.pathBytes()).isEqualTo(file.rawPath());
        assertThat(file.lastModified()).isEqualTo(Instant.parse("1999-12-31T23:59:59Z"));
    }

    @Test
    void anEncodedPathThatIsUtf8IsAnOrdinaryPath() {
        // MANIFEST 'force-encode' hex-encodes every path, valid UTF-8 or not.
        BackupManifest manifest = parse(PG16_BODY.replace("\"Path\": \"PG_VERSION\"", "\"Encoded-Path\": \"50475F56455253494F4E\""));

        ManifestFile file = manifest.file("PG_VERSION").orElseThrow();
        assertThat(file.rawPath()).isNull();
        assertThat(file).isEqualTo(parse(PG16_BODY).file("PG_VERSION").orElseThrow());
    }

    @Test
    void writingAParsedManifestReproducesPostgresBytes() {
        for (String body : List.of(PG16_BODY, PG17_BODY)) {
            byte[] original = manifest(body);
            assertThat(new String(BackupManifest.parse(original, SOURCE).write(), UTF_8))
                    .isEqualTo(new String(original, UTF_8));
        }
    }

    @Test
    void aSystemIdentifierAboveTheSignedRangeIsKeptUnsigned() {
        BackupManifest manifest = parse(PG17_BODY.replace("7436923442837046512", "18446744073709551615"));
        assertThat(manifest.systemIdentifier()).hasValue(-1L);
        assertThat(new String(manifest.write(), UTF_8)).contains("\"System-Identifier\": 18446744073709551615,\n");
    }

    @Test
    void checksumsAndCaseAreNormalisedToLowerCase() {
        BackupManifest manifest = parse(PG16_BODY.replace("0fe5a0b1", "0FE5A0B1"));
        assertThat(manifest.file("PG_VERSION").orElseThrow().checksumHex()).isEqualTo("0fe5a0b1");

        String upperChecksum = withChecksum(PG16_BODY);
        int at = upperChecksum.lastIndexOf(": \"") + 3;
        String upper = upperChecksum.substring(0, at) + upperChecksum.substring(at).toUpperCase();
        assertThat(BackupManifest.parse(upper.getBytes(UTF_8), SOURCE)).isEqualTo(parse(PG16_BODY));
    }

    @Test
    void filesWithoutChecksumsAndEmptyListsAreAccepted() {
        BackupManifest manifest = parse("""
                { "PostgreSQL-Backup-Manifest-Version": 2,
                "System-Identifier": 1,
                "Files": [
                { "Path": "PG_VERSION", "Size": 3, "Last-Modified": "2026-01-02 03:04:05 GMT" }
                ],
                "WAL-Ranges": [

                ],
                """);
        assertThat(manifest.files()).singleElement().satisfies(f -> {
            assertThat(f.hasChecksum()).isFalse();
            assertThat(f.algorithm()).isEqualTo(ChecksumAlgorithm.NONE);
            assertThat(f.checksumHex()).isEmpty();
        });
        assertThat(manifest.walRanges()).isEmpty();
    }

    @Test
    void keysMayComeInAnyOrderBetweenVersionAndChecksum() {
        BackupManifest manifest = parse("""
                {"PostgreSQL-Backup-Manifest-Version": 2, "WAL-Ranges": [{"End-LSN": "0/2", "Timeline": 1, "Start-LSN": "0/1"}],
                  "Files": [{"Size": 1, "Checksum": "00000000", "Last-Modified": "2026-01-01 00:00:00 UTC",
                  "Checksum-Algorithm": "crc32c", "Path": "a"}], "System-Identifier": 5,
                """);
        assertThat(manifest.files()).containsExactly(ManifestFile.of("a", 1, Instant.parse("2026-01-01T00:00:00Z"),
                ChecksumAlgorithm.CRC32C, "00000000"));
        assertThat(manifest.systemIdentifier()).hasValue(5);
    }

    @Test
    void aTamperedByteFailsTheChecksum() {
        byte[] bytes = manifest(PG17_BODY);
        String text = new String(bytes, UTF_8);
        int at = text.indexOf("\"Size\": 16384") + "\"Size\": 1".length();
        bytes[at] = '7';
        assertInvalid(bytes, "invalid backup manifest c1/full-1/backup_manifest: checksum mismatch: \"Manifest-Checksum\" is "
                + ManifestFixtures.sha256(PG17_BODY) + " but the manifest's contents hash to "
                + ManifestFixtures.sha256(PG17_BODY.replace("\"Size\": 16384", "\"Size\": 17384"))
                + "; the file is damaged or was edited");
    }

    @Test
    void theLastLineMustEndWithANewline() {
        String text = withChecksum(PG16_BODY);
        assertInvalid(text.substring(0, text.length() - 1).getBytes(UTF_8),
                "invalid backup manifest c1/full-1/backup_manifest, line 11: the last line does not end with a newline: "
                        + "the file is truncated or was edited");
    }

    @Test
    void aManifestOnOneLineIsRefused() {
        String body = "{\"PostgreSQL-Backup-Manifest-Version\": 1, \"Files\": [], \"WAL-Ranges\": [], ";
        assertInvalid((body + "\"Manifest-Checksum\": \"" + ManifestFixtures.sha256(body) + "\"}\n").getBytes(UTF_8),
                "invalid backup manifest c1/full-1/backup_manifest: the manifest has fewer than 2 lines, "
                        + "but PostgreSQL writes \"Manifest-Checksum\" on a line of its own");
    }

    @Test
    void unknownTopLevelKeysAreRefused() {
        assertInvalid(PG16_BODY.replace("\"Files\": [", "\"Oops\": 1,\n\"Files\": ["),
                "invalid backup manifest c1/full-1/backup_manifest, line 2: unknown key \"Oops\": a manifest has only "
                        + "\"PostgreSQL-Backup-Manifest-Version\", \"System-Identifier\", \"Files\", \"WAL-Ranges\" "
                        + "and \"Manifest-Checksum\"");
    }

    @Test
    void version1MustNotHaveASystemIdentifier() {
        assertInvalid(PG16_BODY.replace("\"Files\": [", "\"System-Identifier\": 1,\n\"Files\": ["),
                "invalid backup manifest c1/full-1/backup_manifest, line 2: \"System-Identifier\" is not allowed in a "
                        + "version 1 manifest (version 2, PostgreSQL 17, added it)");
    }

    @Test
    void version2MustHaveASystemIdentifier() {
        assertInvalid(PG17_BODY.replace("\"System-Identifier\": 7436923442837046512,\n", ""),
                "invalid backup manifest c1/full-1/backup_manifest, line 13: a version 2 manifest must have "
                        + "\"System-Identifier\"");
    }

    @Test
    void onlyVersions1And2AreRead() {
        assertInvalid(PG16_BODY.replace("Version\": 1", "Version\": 3"),
                "invalid backup manifest c1/full-1/backup_manifest, line 1: unsupported manifest version 3: Cellar reads "
                        + "versions 1 (PostgreSQL 13 to 16) and 2 (PostgreSQL 17 and later)");
        assertInvalid(PG16_BODY.replace("Version\": 1", "Version\": \"1\""),
                "invalid backup manifest c1/full-1/backup_manifest, line 1: the manifest version must be an integer, "
                        + "found the string \"1\"");
        assertInvalid(PG16_BODY.replace("Version\": 1", "Version\": 1.0"),
                "invalid backup manifest c1/full-1/backup_manifest, line 1: the manifest version must be an integer, "
                        + "found 1.0");
    }

    @Test
    void theVersionKeyMustComeFirst() {
        assertInvalid("{ \"Files\": [],\n\"PostgreSQL-Backup-Manifest-Version\": 1,\n\"WAL-Ranges\": [],\n",
                "invalid backup manifest c1/full-1/backup_manifest, line 1: expected \"PostgreSQL-Backup-Manifest-Version\" "
                        + "as the first key, found the key \"Files\"");
        assertInvalid("[\n",
                "invalid backup manifest c1/full-1/backup_manifest, line 1: expected a JSON object, found a list");
    }

    @Test
    void theChecksumMustBeTheLastKey() {
        String text = withChecksum(PG16_BODY).replace("\"}\n", "\", \"Files\": []}\n");
        assertInvalid(text.getBytes(UTF_8),
                "invalid backup manifest c1/full-1/backup_manifest, line 11: \"Manifest-Checksum\" must be the last key, "
                        + "but \"Files\" follows it");
    }

    @Test
    void theChecksumIsRequired() {
        assertInvalid((PG16_BODY + "\"WAL-Ranges\": []}\n").replaceFirst("\"WAL-Ranges\": \\[\n.*\n\\],\n", ""),
                "invalid backup manifest c1/full-1/backup_manifest, line 8: the manifest ends without \"Manifest-Checksum\"");
    }

    @Test
    void theFilesAndWalRangesListsAreRequired() {
        assertInvalid(PG16_BODY.replaceFirst("(?s)\"Files\": \\[.*?\n\\],\n", ""),
                "invalid backup manifest c1/full-1/backup_manifest, line 5: the manifest has no \"Files\" list");
        assertInvalid(PG16_BODY.replaceFirst("(?s)\"WAL-Ranges\": \\[.*?\n\\],\n", ""),
                "invalid backup manifest c1/full-1/backup_manifest, line 8: the manifest has no \"WAL-Ranges\" list");
    }

    @Test
    void repeatedKeysAreRefused() {
        assertInvalid(PG16_BODY.replace("\"WAL-Ranges\": [", "\"Files\": [],\n\"WAL-Ranges\": ["),
                "invalid backup manifest c1/full-1/backup_manifest, line 8: the key \"Files\" appears twice");
        assertInvalid(PG16_BODY.replace("\"Size\": 3,", "\"Size\": 3, \"Size\": 4,"),
                "invalid backup manifest c1/full-1/backup_manifest, line 4: file entry 2 has the key \"Size\" twice");
        assertInvalid(PG16_BODY.replace("\"Timeline\": 1,", "\"Timeline\": 1, \"Timeline\": 1,"),
                "invalid backup manifest c1/full-1/backup_manifest, line 9: WAL range 1 has the key \"Timeline\" twice");
    }

    @Test
    void aPathListedTwiceIsRefused() {
        assertInvalid(PG16_BODY.replace("\"Path\": \"PG_VERSION\"", "\"Path\": \"backup_label\""),
                "invalid backup manifest c1/full-1/backup_manifest, line 4: the file \"backup_label\" is listed twice "
                        + "(first on line 3)");
    }

    @Test
    void contentAfterTheTopLevelObjectIsRefused() {
        String text = withChecksum(PG16_BODY);
        assertInvalid((text + "{}\n").getBytes(UTF_8),
                "invalid backup manifest c1/full-1/backup_manifest, line 12: found an object after the manifest's closing brace, where the file must end");
    }

    @Test
    void invalidJsonIsRefusedWithItsLine() {
        assertThatThrownBy(() -> BackupManifest.parse(manifest(PG16_BODY.replace("\"Size\": 3,", "\"Size\": 3,,")), SOURCE))
                .isInstanceOf(CellarException.class)
                .hasMessageStartingWith("invalid backup manifest c1/full-1/backup_manifest, line 4: not valid JSON: Unexpected character (',' (code 44))");
        assertThatThrownBy(() -> BackupManifest.parse("{ \"PostgreSQL-Backup-Manifest-Version\": 1,\n".getBytes(UTF_8), SOURCE))
                .isInstanceOf(CellarException.class)
                .hasMessageStartingWith("invalid backup manifest c1/full-1/backup_manifest, line 2: not valid JSON: Unexpected end-of-input");
    }

    @Test
    void theBytesMustBeUtf8WithoutAByteOrderMark() {
        byte[] bytes = manifest(PG16_BODY.replace("PG_VERSION", "PG_VERSIO\u00ff"));
        int at = new String(bytes, UTF_8).indexOf('\u00ff');
        bytes[at] = (byte) 0xff;
        assertInvalid(bytes, "invalid backup manifest c1/full-1/backup_manifest, line 4: byte %d is not valid UTF-8".formatted(at));

        byte[] plain = manifest(PG16_BODY);
        byte[] withBom = new byte[plain.length + 3];
        withBom[0] = (byte) 0xEF;
        withBom[1] = (byte) 0xBB;
        withBom[2] = (byte) 0xBF;
        System.arraycopy(plain, 0, withBom, 3, plain.length);
        assertInvalid(withBom, "invalid backup manifest c1/full-1/backup_manifest, line 1: the file starts with a UTF-8 "
                + "byte-order mark, which PostgreSQL never writes");
    }

    @Test
    void aManifestChecksumThatIsNotSha256HexIsRefused() {
        assertInvalid((PG16_BODY + "\"Manifest-Checksum\": \"abc\"}\n").getBytes(UTF_8),
                "invalid backup manifest c1/full-1/backup_manifest, line 11: \"Manifest-Checksum\" must be 64 hexadecimal "
                        + "digits (a SHA-256), found \"abc\"");
    }

    @Test
    void fileEntriesAreChecked() {
        String entry = "{ \"Path\": \"PG_VERSION\", \"Size\": 3, \"Last-Modified\": \"2026-01-02 03:04:05 GMT\", "
                + "\"Checksum-Algorithm\": \"CRC32C\", \"Checksum\": \"0fe5a0b1\" }";
        String prefix = "invalid backup manifest c1/full-1/backup_manifest, line 4: ";

        assertInvalid(PG16_BODY.replace(entry, "{ \"Size\": 3, \"Last-Modified\": \"2026-01-02 03:04:05 GMT\" }"),
                prefix + "file entry 2 has neither \"Path\" nor \"Encoded-Path\"");
        assertInvalid(PG16_BODY.replace(entry, entry.replace("{ \"Path\"", "{ \"Encoded-Path\": \"6162\", \"Path\"")),
                prefix + "file entry 2 has both \"Path\" and \"Encoded-Path\"");
        assertInvalid(PG16_BODY.replace(entry, entry.replace("\"Path\": \"PG_VERSION\"", "\"Encoded-Path\": \"123\"")),
                prefix + "\"Encoded-Path\" of file entry 2 is not an even number of hexadecimal digits: \"123\"");
        assertInvalid(PG16_BODY.replace(entry, entry.replace("\"Path\": \"PG_VERSION\"", "\"Encoded-Path\": \"zz\"")),
                prefix + "\"Encoded-Path\" of file entry 2 is not an even number of hexadecimal digits: \"zz\"");
        assertInvalid(PG16_BODY.replace(entry, entry.replace("\"Size\": 3, ", "")),
                prefix + "the file \"PG_VERSION\" has no \"Size\"");
        assertInvalid(PG16_BODY.replace(entry, entry.replace("\"Size\": 3", "\"Size\": -3")),
                prefix + "\"Size\" must be a non-negative integer, found -3");
        assertInvalid(PG16_BODY.replace(entry, entry.replace("\"Size\": 3", "\"Size\": \"3\"")),
                prefix + "\"Size\" must be a non-negative integer, found the string \"3\"");
        assertInvalid(PG16_BODY.replace(entry, entry.replace("\"Size\": 3", "\"Size\": 9223372036854775808")),
                prefix + "\"Size\" 9223372036854775808 is too large: the largest is 9223372036854775807");
        assertInvalid(PG16_BODY.replace(entry, entry.replace("\"Last-Modified\": \"2026-01-02 03:04:05 GMT\", ", "")),
                prefix + "the file \"PG_VERSION\" has no \"Last-Modified\"");
        assertInvalid(PG16_BODY.replace(entry, entry.replace("2026-01-02 03:04:05 GMT", "2026-01-02T03:04:05Z")),
                prefix + "\"Last-Modified\" must be a time such as \"2026-11-21 10:00:00 GMT\", found \"2026-01-02T03:04:05Z\"");
        assertInvalid(PG16_BODY.replace(entry, entry.replace("2026-01-02 03:04:05 GMT", "2026-02-30 03:04:05 GMT")),
                prefix + "\"Last-Modified\" must be a time such as \"2026-11-21 10:00:00 GMT\", found \"2026-02-30 03:04:05 GMT\"");
        assertInvalid(PG16_BODY.replace(entry, entry.replace("\"Checksum-Algorithm\": \"CRC32C\", ", "")),
                prefix + "the file \"PG_VERSION\" has \"Checksum\" without \"Checksum-Algorithm\": they come together or not at all");
        assertInvalid(PG16_BODY.replace(entry, entry.replace(", \"Checksum\": \"0fe5a0b1\"", "")),
                prefix + "the file \"PG_VERSION\" has \"Checksum-Algorithm\" without \"Checksum\": they come together or not at all");
        assertInvalid(PG16_BODY.replace(entry, entry.replace("CRC32C", "MD5")),
                prefix + "the file \"PG_VERSION\" has the unknown checksum algorithm \"MD5\": expected CRC32C, SHA224, SHA256, SHA384 or SHA512");
        assertInvalid(PG16_BODY.replace(entry, entry.replace("CRC32C", "NONE")),
                prefix + "the file \"PG_VERSION\" has the unknown checksum algorithm \"NONE\": expected CRC32C, SHA224, SHA256, SHA384 or SHA512");
        assertInvalid(PG16_BODY.replace(entry, entry.replace("0fe5a0b1", "0fe5a0b")),
                prefix + "the CRC32C checksum of the file \"PG_VERSION\" must be 8 hexadecimal digits, found \"0fe5a0b\"");
        assertInvalid(PG16_BODY.replace(entry, entry.replace("\"Size\"", "\"Mode\": 420, \"Size\"")),
                prefix + "unknown key \"Mode\" in file entry 2: a file has \"Path\" or \"Encoded-Path\", \"Size\", "
                        + "\"Last-Modified\" and optionally \"Checksum-Algorithm\" with \"Checksum\"");
        assertInvalid(PG16_BODY.replace(entry, "[]"),
                prefix + "each entry of \"Files\" must be an object, found a list");
        assertInvalid(PG16_BODY.replace(entry, entry.replace("\"PG_VERSION\"", "\"/etc/passwd\"")),
                prefix + "invalid backup manifest entry \"/etc/passwd\": the path is absolute; manifest paths are relative to the data directory");
        assertInvalid(PG16_BODY.replace(entry, entry.replace("\"PG_VERSION\"", "\"base/../../x\"")),
                prefix + "invalid backup manifest entry \"base/../../x\": the path has an empty, \".\" or \"..\" element");
    }

    @Test
    void walRangesAreChecked() {
        String range = "{ \"Timeline\": 1, \"Start-LSN\": \"0/2000028\", \"End-LSN\": \"0/2000100\" }";
        String prefix = "invalid backup manifest c1/full-1/backup_manifest, line 9: ";

        assertInvalid(PG16_BODY.replace(range, range.replace(", \"End-LSN\": \"0/2000100\"", "")),
                prefix + "WAL range 1 has no \"End-LSN\"");
        assertInvalid(PG16_BODY.replace(range, range.replace("\"Timeline\": 1, ", "")),
                prefix + "WAL range 1 has no \"Timeline\"");
        assertInvalid(PG16_BODY.replace(range, range.replace("0/2000028", "oops")),
                prefix + "WAL range 1: invalid LSN \"oops\": expected two hexadecimal numbers of 1 to 8 digits separated "
                        + "by '/', such as 16/B374D848");
        assertInvalid(PG16_BODY.replace(range, range.replace("\"Timeline\": 1", "\"Timeline\": 0")),
                prefix + "WAL range 1: invalid timeline ID \"0\": expected a decimal number from 1 to 4294967295");
        assertInvalid(PG16_BODY.replace(range, range.replace("\"Timeline\": 1", "\"Timeline\": true")),
                prefix + "\"Timeline\" must be a non-negative integer, found true");
        assertInvalid(PG16_BODY.replace(range, range.replace("0/2000100", "0/2000000")),
                prefix + "WAL range 1: invalid WAL range on timeline 1: it ends at 0/2000000, before its start 0/2000028");
        assertInvalid(PG16_BODY.replace(range, range.replace("\"Timeline\"", "\"Oops\": 1, \"Timeline\"")),
                prefix + "unknown key \"Oops\" in WAL range 1: a WAL range has \"Timeline\", \"Start-LSN\" and \"End-LSN\"");
        assertInvalid(PG16_BODY.replace("\"WAL-Ranges\": [", "\"WAL-Ranges\": {"),
                "invalid backup manifest c1/full-1/backup_manifest, line 8: \"WAL-Ranges\" must be a list, found an object");
    }

    @Test
    void constructionChecksTheRulesToo() {
        List<WalRange> ranges = List.of(new WalRange(TimelineId.of(1), Lsn.parse("0/1"), Lsn.parse("0/2")));
        ManifestFile file = ManifestFile.of("PG_VERSION", 3, Instant.EPOCH, ChecksumAlgorithm.NONE, "");

        assertThatThrownBy(() -> BackupManifest.of(1, OptionalLong.of(1), List.of(), ranges))
                .isInstanceOf(CellarException.class)
                .hasMessage("invalid backup manifest: a version 1 manifest has no system identifier (version 2, PostgreSQL 17, added it)");
        assertThatThrownBy(() -> BackupManifest.of(2, OptionalLong.empty(), List.of(), ranges))
                .isInstanceOf(CellarException.class)
                .hasMessage("invalid backup manifest: a version 2 manifest must have a system identifier");
        assertThatThrownBy(() -> BackupManifest.of(3, OptionalLong.empty(), List.of(), ranges))
                .isInstanceOf(CellarException.class)
                .hasMessage("invalid backup manifest: unsupported manifest version 3: expected 1 (PostgreSQL 13 to 16) or 2 (PostgreSQL 17 and later)");
        assertThatThrownBy(() -> BackupManifest.version2(1, List.of(file, file), ranges))
                .isInstanceOf(CellarException.class)
                .hasMessage("invalid backup manifest: the file \"PG_VERSION\" is listed twice");
    }

    @Test
    void equalityIsByValue() {
        assertThat(parse(PG17_BODY)).isEqualTo(parse(PG17_BODY)).hasSameHashCodeAs(parse(PG17_BODY));
        assertThat(parse(PG17_BODY)).isNotEqualTo(parse(PG16_BODY));
        assertThat(parse(PG17_BODY).toString())
                .isEqualTo("BackupManifest[version=2, systemIdentifier=7436923442837046512, 5 files, walRanges=["
                        + "WalRange[timeline=2, start=0/5000000, end=0/6000100], WalRange[timeline=1, start=0/4000028, end=0/5000000]]]");
    }
}
