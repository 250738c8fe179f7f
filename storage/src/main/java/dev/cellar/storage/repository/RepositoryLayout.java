package dev.cellar.storage.repository;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.TimelineId;
import dev.cellar.storage.ObjectKey;
import java.util.regex.Pattern;

/**
 * Where everything lives in a repository (docs/repository-format.md). Pure: builds and checks keys,
 * touches nothing.
 *
 * <pre>
 * clusters/&lt;cluster&gt;/cluster.json
 * clusters/&lt;cluster&gt;/timelines/&lt;TLI&gt;-&lt;sha256&gt;.history
 * clusters/&lt;cluster&gt;/wal/&lt;TLI&gt;/&lt;segment&gt;[.partial]-&lt;sha256&gt;[.zst]
 * clusters/&lt;cluster&gt;/gaps/&lt;TLI&gt;-&lt;from&gt;-&lt;to&gt;.json            (WAL the server no longer had)
 * clusters/&lt;cluster&gt;/backups/&lt;id&gt;/backup.json          (written last: the commit marker)
 * clusters/&lt;cluster&gt;/backups/&lt;id&gt;/backup_manifest[.zst]     (PostgreSQL's manifest, as received)
 * clusters/&lt;cluster&gt;/backups/&lt;id&gt;/files.jsonl[.zst]         (the file index, package backup)
 * clusters/&lt;cluster&gt;/backups/&lt;id&gt;/data/&lt;archive&gt;/&lt;NNNNNN&gt;.chunk[.zst]  (archive contents)
 * </pre>
 */
public final class RepositoryLayout {
    /** Prefix of everything a repository stores; other top-level names are not repository objects. */
    public static final String CLUSTERS = "clusters/";

    private static final Pattern CLUSTER_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    private static final Pattern BACKUP_ID = Pattern.compile("[0-9A-Za-z][0-9A-Za-z_-]{0,63}");

    private RepositoryLayout() {
    }

    public static String clusterPrefix(String cluster) {
        return CLUSTERS + checkClusterName(cluster) + "/";
    }

    public static ObjectKey clusterJson(String cluster) {
        return ObjectKey.of(clusterPrefix(cluster) + "cluster.json");
    }

    public static String timelinesPrefix(String cluster) {
        return clusterPrefix(cluster) + "timelines/";
    }

    public static String walPrefix(String cluster) {
        return clusterPrefix(cluster) + "wal/";
    }

    public static String walPrefix(String cluster, TimelineId timeline) {
        return walPrefix(cluster) + timeline.toHex() + "/";
    }

    public static String gapsPrefix(String cluster) {
        return clusterPrefix(cluster) + "gaps/";
    }

    /** A gap's record; LSNs as 16 hex digits so that names sort by position. */
    public static ObjectKey gapJson(String cluster, WalGap gap) {
        return ObjectKey.of(gapsPrefix(cluster) + gap.timeline().toHex() + "-" + "%016X".formatted(gap.from().value())
                + "-" + "%016X".formatted(gap.to().value()) + ".json");
    }

    public static String backupsPrefix(String cluster) {
        return clusterPrefix(cluster) + "backups/";
    }

    public static String backupPrefix(String cluster, String backupId) {
        return backupsPrefix(cluster) + checkBackupId(backupId) + "/";
    }

    /** The commit marker of a backup. */
    public static ObjectKey backupJson(String cluster, String backupId) {
        return ObjectKey.of(backupPrefix(cluster, backupId) + "backup.json");
    }

    /** A person's request to keep a backup ({@link BackupKeep}); absent when there is none. */
    public static ObjectKey backupKeep(String cluster, String backupId) {
        return ObjectKey.of(backupPrefix(cluster, backupId) + "keep.json");
    }

    /** Another object of a backup, {@code relative} to its directory (e.g. {@code data/base/000001.chunk.zst}). */
    public static ObjectKey backupObject(String cluster, String backupId, String relative) {
        return ObjectKey.of(backupPrefix(cluster, backupId) + relative);
    }

    static String checkClusterName(String name) {
        if (name == null || !CLUSTER_NAME.matcher(name).matches()) {
            throw new CellarException(ErrorCode.INVALID_VALUE, "invalid cluster name '" + name
                    + "': use 1 to 63 lower-case letters, digits, '_' or '-', starting with a letter or digit");
        }
        return name;
    }

    static String checkBackupId(String id) {
        if (id == null || !BACKUP_ID.matcher(id).matches()) {
            throw new CellarException(ErrorCode.INVALID_VALUE, "invalid backup id '" + id
                    + "': use 1 to 64 letters, digits, '_' or '-', starting with a letter or digit");
        }
        return id;
    }
}
