package dev.cellar.walreceiver.backup;

import dev.cellar.core.backup.BackupManifest;
import dev.cellar.core.backup.ChecksumAlgorithm;
import dev.cellar.core.backup.ManifestFile;
import dev.cellar.storage.backup.BackupEntry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Compares what Cellar received and stored with what PostgreSQL says it sent (its
 * {@code backup_manifest}): the same files, each with the same size and SHA-256. Both directions
 * count: a file the manifest lists but the archives lacked was lost on the way; a file the
 * archives carried but the manifest does not list is not PostgreSQL's. Pure.
 */
final class ManifestComparison {
    /** How many problems a message lists before summarising the rest. */
    static final int SHOWN = 10;

    private ManifestComparison() {
    }

    /** Every difference, as a readable line; empty when the backup matches its manifest. */
    static List<String> differences(List<BackupEntry> files, BackupManifest manifest) {
        List<String> problems = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (BackupEntry file : files) {
            String path = file.manifestPath();
            seen.add(path);
            ManifestFile listed = manifest.file(path).orElse(null);
            if (listed == null) {
                problems.add(path + ": received, but not in the manifest");
                continue;
            }
            if (listed.size() != file.size()) {
                problems.add(path + ": " + file.size() + " bytes received, the manifest says " + listed.size());
            } else if (listed.algorithm() != ChecksumAlgorithm.SHA256) {
                problems.add(path + ": the manifest has a " + listed.algorithm() + " checksum, SHA256 was asked for");
            } else if (!listed.checksumHex().equals(file.sha256())) {
                problems.add(path + ": SHA-256 " + file.sha256() + " received, the manifest says " + listed.checksumHex());
            }
        }
        for (ManifestFile listed : manifest.files()) {
            if (!seen.contains(listed.path())) {
                problems.add(listed.path() + ": in the manifest, but not received");
            }
        }
        return problems;
    }

    /** The first {@link #SHOWN} problems, and how many more there are. */
    static String summary(List<String> problems) {
        String shown = String.join("; ", problems.subList(0, Math.min(SHOWN, problems.size())));
        return problems.size() > SHOWN ? shown + "; and " + (problems.size() - SHOWN) + " more" : shown;
    }
}
