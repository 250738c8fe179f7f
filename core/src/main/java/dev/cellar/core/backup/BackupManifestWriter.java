package dev.cellar.core.backup;

import static dev.cellar.core.backup.BackupManifestParser.CHECKSUM;
import static dev.cellar.core.backup.BackupManifestParser.CHECKSUM_ALGORITHM;
import static dev.cellar.core.backup.BackupManifestParser.ENCODED_PATH;
import static dev.cellar.core.backup.BackupManifestParser.END_LSN;
import static dev.cellar.core.backup.BackupManifestParser.FILES;
import static dev.cellar.core.backup.BackupManifestParser.LAST_MODIFIED;
import static dev.cellar.core.backup.BackupManifestParser.MANIFEST_CHECKSUM;
import static dev.cellar.core.backup.BackupManifestParser.PATH;
import static dev.cellar.core.backup.BackupManifestParser.SIZE;
import static dev.cellar.core.backup.BackupManifestParser.START_LSN;
import static dev.cellar.core.backup.BackupManifestParser.SYSTEM_IDENTIFIER;
import static dev.cellar.core.backup.BackupManifestParser.TIMELINE;
import static dev.cellar.core.backup.BackupManifestParser.VERSION;
import static dev.cellar.core.backup.BackupManifestParser.WAL_RANGES;

import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Writes a manifest byte for byte as PostgreSQL does: the server's backup_manifest.c
 * ({@code InitializeBackupManifest}, {@code AddFileToBackupManifest},
 * {@code AddWALInfoToBackupManifest}, {@code SendBackupManifest}) and pg_combinebackup's
 * write_manifest.c produce the same layout, one file or WAL range per line:
 *
 * <pre>
 * { "PostgreSQL-Backup-Manifest-Version": 2,
 * "System-Identifier": 7436923442837046512,
 * "Files": [
 * { "Path": "backup_label", "Size": 227, "Last-Modified": "2026-11-21 10:00:00 GMT", "Checksum-Algorithm": "CRC32C", "Checksum": "a1b2c3d4" },
 * { "Path": "global/pg_control", "Size": 8192, "Last-Modified": "2026-11-21 10:00:01 GMT" }
 * ],
 * "WAL-Ranges": [
 * { "Timeline": 1, "Start-LSN": "0/2000028", "End-LSN": "0/2000100" }
 * ],
 * "Manifest-Checksum": "…64 hex digits…"}
 * </pre>
 *
 * Version 1 has no System-Identifier line. The checksum is the SHA-256 of every byte before the
 * {@code "Manifest-Checksum"} line. Paths that are not valid UTF-8 are written as
 * {@code "Encoded-Path"} (lower-case hex of the raw bytes); other paths as JSON strings escaped as
 * {@code escape_json} does. LSNs are {@code %X/%X}, as servers 15–18 print them.
 */
final class BackupManifestWriter {

    private static final DateTimeFormatter LAST_MODIFIED_FORMAT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss 'GMT'").withZone(ZoneOffset.UTC);

    private BackupManifestWriter() {
    }

    static byte[] write(BackupManifest manifest) {
        StringBuilder out = new StringBuilder();
        out.append("{ ").append(quoted(VERSION)).append(": ").append(manifest.version()).append(",\n");
        if (manifest.systemIdentifier().isPresent()) {
            out.append(quoted(SYSTEM_IDENTIFIER)).append(": ")
                    .append(Long.toUnsignedString(manifest.systemIdentifier().getAsLong())).append(",\n");
        }
        out.append(quoted(FILES)).append(": [");
        boolean first = true;
        for (ManifestFile file : manifest.files()) {
            // Each entry terminates the previous line, so there is no comma after the last one.
            out.append(first ? "\n" : ",\n");
            first = false;
            appendFile(out, file);
        }
        out.append("\n],\n");
        out.append(quoted(WAL_RANGES)).append(": [\n");
        first = true;
        for (WalRange range : manifest.walRanges()) {
            out.append(first ? "" : ",\n");
            first = false;
            out.append("{ ").append(quoted(TIMELINE)).append(": ").append(range.timeline())
                    .append(", ").append(quoted(START_LSN)).append(": ").append(quoted(range.start().toString()))
                    .append(", ").append(quoted(END_LSN)).append(": ").append(quoted(range.end().toString()))
                    .append(" }");
        }
        out.append("\n],\n");
        String checksum = ManifestChecksums.selfChecksum(out.toString());
        out.append(quoted(MANIFEST_CHECKSUM)).append(": ").append(quoted(checksum)).append("}\n");
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void appendFile(StringBuilder out, ManifestFile file) {
        byte[] raw = file.rawPath();
        if (raw == null) {
            out.append("{ ").append(quoted(PATH)).append(": ");
            escapeJson(out, file.path());
            out.append(", ");
        } else {
            out.append("{ ").append(quoted(ENCODED_PATH)).append(": ").append(quoted(Hex.lower(raw))).append(", ");
        }
        out.append(quoted(SIZE)).append(": ").append(file.size()).append(", ");
        out.append(quoted(LAST_MODIFIED)).append(": ").append(quoted(LAST_MODIFIED_FORMAT.format(file.lastModified())));
        if (file.hasChecksum()) {
            out.append(", ").append(quoted(CHECKSUM_ALGORITHM)).append(": ").append(quoted(file.algorithm().pgName()))
                    .append(", ").append(quoted(CHECKSUM)).append(": ").append(quoted(file.checksumHex()));
        }
        out.append(" }");
    }

    // Only for texts that need no escaping: key names, hex, LSNs, times.
    private static String quoted(String plain) {
        return '"' + plain + '"';
    }

    /**
     * PostgreSQL's {@code escape_json}: the two-character escapes for backspace, form feed, newline,
     * carriage return, tab, quote and backslash; {@code \}{@code u%04x} (lower case) for other
     * characters below U+0020; everything else as is, including DEL and non-ASCII text.
     */
    static void escapeJson(StringBuilder out, String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < ' ') {
                        out.append("\\u%04x".formatted((int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
