package dev.cellar.catalog;

import java.util.Objects;

/**
 * A database that a backup holds.
 *
 * <p>Immutable and thread-safe. No component is {@code null}.
 *
 * @param oid  its object ID, 1 to 4294967295
 * @param name its name when the backup was taken
 */
public record BackupDatabase(long oid, String name) {
    public BackupDatabase {
        RowChecks.oid("database", oid);
        Objects.requireNonNull(name, "name");
    }
}
