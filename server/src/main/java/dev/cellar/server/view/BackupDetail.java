package dev.cellar.server.view;

import java.util.List;

/**
 * One backup with everything a person asks about it ({@code backupctl show-backup}).
 *
 * @param chain       the backups a restore of it needs, full first, ending with itself
 * @param children    incremental backups built directly on it (it cannot be deleted while any exist)
 * @param databases   the databases it holds, by OID
 * @param tablespaces its tablespaces besides the default ones, with their original locations
 */
public record BackupDetail(BackupView backup, List<String> chain, List<String> children, List<Database> databases,
                           List<Tablespace> tablespaces) {

    public record Database(long oid, String name) {
    }

    public record Tablespace(long oid, String name, String location) {
    }
}
