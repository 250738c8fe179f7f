package dev.cellar.walreceiver.backup;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.backup.ChecksumAlgorithm;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The options of one {@code BASE_BACKUP} (PostgreSQL 15+ parenthesised syntax, PROTOCOL.md §5).
 * Fixed choices, and why:
 * <ul>
 *   <li>{@code PROGRESS}: the pre-scan costs a directory walk but gives the size estimate that
 *       progress and ETA need;</li>
 *   <li>{@code WAIT false}: Cellar streams WAL itself and decides on its own when the backup's WAL
 *       is stored (pg_basebackup does the same whenever it takes WAL);</li>
 *   <li>{@code MANIFEST 'yes'}: every received file is checked against it (size and checksum)
 *       before the backup is committed; the checksum algorithm is an option, CRC-32C by default
 *       as in PostgreSQL (the server computes it for every file: SHA-256 costs it about 0.4
 *       CPU-seconds per GB, CRC-32C almost nothing);</li>
 *   <li>{@code TABLESPACE_MAP}: tablespace locations travel as a file a restore can rewrite,
 *       instead of symlinks in the archive;</li>
 *   <li>{@code TARGET 'client'} always, as pg_basebackup does for 15+.</li>
 * </ul>
 *
 * @param maxRateKbPerSecond throttle in kB/s (32..1048576, PostgreSQL's accepted range); empty for none
 * @param manifestChecksums  the manifest's file checksums ({@code MANIFEST_CHECKSUMS}); never NONE
 */
public record BaseBackupOptions(String label, CheckpointMode checkpoint, OptionalInt maxRateKbPerSecond,
                                Optional<ServerCompression> serverCompression, boolean incremental,
                                boolean verifyChecksums, ChecksumAlgorithm manifestChecksums) {
    /** MAXPGPATH - 1: the longest label do_pg_backup_start accepts. */
    public static final int MAX_LABEL_BYTES = 1023;
    public static final int MIN_RATE = 32;
    public static final int MAX_RATE = 1_048_576;

    public BaseBackupOptions {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(maxRateKbPerSecond, "maxRateKbPerSecond");
        Objects.requireNonNull(serverCompression, "serverCompression");
        Objects.requireNonNull(manifestChecksums, "manifestChecksums");
        if (manifestChecksums == ChecksumAlgorithm.NONE) {
            throw new CellarException(ErrorCode.INVALID_VALUE, "a backup needs manifest checksums",
                    "set manifest_checksums to crc32c, sha224, sha256, sha384 or sha512");
        }
        if (label.isEmpty() || label.getBytes(StandardCharsets.UTF_8).length > MAX_LABEL_BYTES
                || label.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new CellarException(ErrorCode.INVALID_VALUE, "invalid backup label \"" + label + "\"",
                    "use 1 to " + MAX_LABEL_BYTES + " bytes of printable characters");
        }
        if (maxRateKbPerSecond.isPresent()
                && (maxRateKbPerSecond.getAsInt() < MIN_RATE || maxRateKbPerSecond.getAsInt() > MAX_RATE)) {
            throw new CellarException(ErrorCode.INVALID_VALUE, "backup rate limit of " + maxRateKbPerSecond.getAsInt()
                    + " kB/s is outside what PostgreSQL accepts", "set max_rate between 32kB and 1GB per second, or remove it");
        }
    }

    /** A full backup with a fast checkpoint, no throttle, no server compression, CRC-32C manifest checksums. */
    public static BaseBackupOptions full(String label) {
        return new BaseBackupOptions(label, CheckpointMode.FAST, OptionalInt.empty(), Optional.empty(), false, true,
                ChecksumAlgorithm.CRC32C);
    }

    public BaseBackupOptions withCheckpoint(CheckpointMode mode) {
        return new BaseBackupOptions(label, mode, maxRateKbPerSecond, serverCompression, incremental, verifyChecksums,
                manifestChecksums);
    }

    public BaseBackupOptions withMaxRate(OptionalInt kbPerSecond) {
        return new BaseBackupOptions(label, checkpoint, kbPerSecond, serverCompression, incremental, verifyChecksums,
                manifestChecksums);
    }

    public BaseBackupOptions withServerCompression(Optional<ServerCompression> compression) {
        return new BaseBackupOptions(label, checkpoint, maxRateKbPerSecond, compression, incremental, verifyChecksums,
                manifestChecksums);
    }

    public BaseBackupOptions withIncremental(boolean value) {
        return new BaseBackupOptions(label, checkpoint, maxRateKbPerSecond, serverCompression, value, verifyChecksums,
                manifestChecksums);
    }

    public BaseBackupOptions withManifestChecksums(ChecksumAlgorithm algorithm) {
        return new BaseBackupOptions(label, checkpoint, maxRateKbPerSecond, serverCompression, incremental,
                verifyChecksums, algorithm);
    }

    /**
     * Converts a byte rate (configuration speaks bytes per second) into BASE_BACKUP's kB/s, rounding
     * down but never below PostgreSQL's minimum.
     */
    public static OptionalInt kbPerSecond(long bytesPerSecond) {
        if (bytesPerSecond <= 0) {
            return OptionalInt.empty();
        }
        return OptionalInt.of((int) Math.max(MIN_RATE, Math.min(MAX_RATE, bytesPerSecond / 1024)));
    }

    /** The command text. Every value is either fixed or validated, then quoted. */
    public String command() {
        List<String> options = new ArrayList<>();
        options.add("LABEL " + quote(label));
        options.add("PROGRESS");
        options.add("CHECKPOINT " + quote(checkpoint.keyword()));
        options.add("WAIT false");
        options.add("MANIFEST 'yes'");
        options.add("MANIFEST_CHECKSUMS " + quote(manifestChecksums.pgName()));
        options.add("TABLESPACE_MAP");
        options.add("TARGET 'client'");
        if (!verifyChecksums) {
            options.add("VERIFY_CHECKSUMS false");
        }
        maxRateKbPerSecond.ifPresent(rate -> options.add("MAX_RATE " + rate));
        serverCompression.ifPresent(c -> {
            options.add("COMPRESSION " + quote(c.algorithm().keyword()));
            if (!c.detail().isEmpty()) {
                options.add("COMPRESSION_DETAIL " + quote(c.detail()));
            }
        });
        if (incremental) {
            options.add("INCREMENTAL");
        }
        return "BASE_BACKUP (" + String.join(", ", options) + ")";
    }

    /** A replication-grammar string constant: quotes doubled, as the scanner reads them. */
    private static String quote(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
