package dev.cellar.catalog;

import java.util.Objects;

/**
 * A tablespace outside the data directory that a backup holds.
 *
 * <p>Immutable and thread-safe. No component is {@code null}.
 *
 * @param oid      its object ID, 1 to 4294967295
 * @param name     its name
 * @param location its directory on the source server
 */
public record BackupTablespace(long oid, String name, String location) {
    public BackupTablespace {
        RowChecks.oid("tablespace", oid);
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(location, "location");
    }
}
