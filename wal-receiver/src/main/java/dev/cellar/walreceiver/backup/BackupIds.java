package dev.cellar.walreceiver.backup;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Backup ids: the UTC start time to the second and the kind ({@code 20261121T064300Z-F},
 * {@code …-I}), so that ids sort by time in listings and say what they are, as pgBackRest's do.
 * A second backup started within the same second gets a counter ({@code …-I2}).
 */
public final class BackupIds {
    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private BackupIds() {
    }

    /** @param attempt 1 for the plain id, 2 and up after a clash */
    public static String of(Instant start, boolean incremental, int attempt) {
        return FORMAT.format(start) + (incremental ? "-I" : "-F") + (attempt > 1 ? String.valueOf(attempt) : "");
    }
}
