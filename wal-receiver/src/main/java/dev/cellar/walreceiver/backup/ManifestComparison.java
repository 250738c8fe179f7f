package dev.cellar.walreceiver.backup;

import dev.cellar.core.backup.BackupManifest;
import dev.cellar.core.backup.ChecksumAlgorithm;
import dev.cellar.core.backup.ManifestFile;
import dev.cellar.core.backup.WalRange;
import dev.cellar.storage.backup.BackupEntry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Compares what Cellar received and stored with what PostgreSQL says it sent (its
 * {@code backup_manifest}): the same files, each with the same size and checksum. Both directions
 * count: a file the manifest lists but the archives lacked was lost on the way; a file the
 * archives carried but the manifest does not list is not PostgreSQL's. Pure.
 */
final class ManifestComparison {
    /** How many problems a message lists before summarising the rest. */
    static final int SHOWN = 10;

    private ManifestComparison() {
    }

    /** Every difference, as a readable line; empty when the backup matches its manifest. */
    static List<String> differences(List<BackupEntry> files, ChecksumAlgorithm algorithm, BackupManifest manifest) {
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
            } else if (listed.algorithm() != algorithm) {
                problems.add(path + ": the manifest has a " + listed.algorithm() + " checksum, " + algorithm
                        + " was asked for");
            } else if (!listed.checksumHex().equals(file.checksum())) {
                problems.add(path + ": " + algorithm + " " + file.checksum() + " received, the manifest says "
                        + listed.checksumHex());
            }
        }
        for (ManifestFile listed : manifest.files()) {
            if (!seen.contains(listed.path())) {
                problems.add(listed.path() + ": in the manifest, but not received");
            }
        }
        return problems;
    }

    /**
     * Whether the manifest belongs to this backup: the system identifier (version 2) and the WAL
     * range it names against what the server reported on the wire. The newest range comes first
     * and ends at the backup's end position; the oldest starts at its start position.
     */
    static List<String> identityDifferences(BackupManifest manifest, String systemIdentifier, BaseBackupResult result) {
        List<String> problems = new ArrayList<>();
        manifest.systemIdentifier().ifPresent(id -> {
            if (!Long.toUnsignedString(id).equals(systemIdentifier)) {
                problems.add("System-Identifier " + Long.toUnsignedString(id) + ", the server is system " + systemIdentifier);
            }
        });
        if (manifest.walRanges().isEmpty()) {
            problems.add("no WAL-Ranges");
            return problems;
        }
        WalRange newest = manifest.walRanges().getFirst();
        WalRange oldest = manifest.walRanges().getLast();
        if (!newest.timeline().equals(result.endTimeline()) || !newest.end().equals(result.endLsn())) {
            problems.add("WAL-Ranges end at " + newest.end() + " on timeline " + newest.timeline() + ", the server reported "
                    + result.endLsn() + " on timeline " + result.endTimeline());
        }
        if (!oldest.timeline().equals(result.start().startTimeline()) || !oldest.start().equals(result.start().startLsn())) {
            problems.add("WAL-Ranges start at " + oldest.start() + " on timeline " + oldest.timeline()
                    + ", the server reported " + result.start().startLsn() + " on timeline " + result.start().startTimeline());
        }
        return problems;
    }

    /** The first {@link #SHOWN} problems, and how many more there are. */
    static String summary(List<String> problems) {
        String shown = String.join("; ", problems.subList(0, Math.min(SHOWN, problems.size())));
        return problems.size() > SHOWN ? shown + "; and " + (problems.size() - SHOWN) + " more" : shown;
    }
}
