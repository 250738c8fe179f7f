package dev.cellar.bench;

import dev.cellar.catalog.BackupRow;
import dev.cellar.catalog.BackupStatus;
import dev.cellar.catalog.RepositoryRecords;
import dev.cellar.core.TimelineHistory;
import dev.cellar.core.TimelineId;
import dev.cellar.restore.PointInTimeRestore;
import dev.cellar.restore.export.ExportOptions;
import dev.cellar.restore.export.ExportResult;
import dev.cellar.restore.plan.RecoveryTarget;
import dev.cellar.restore.plan.RestorePlan;
import dev.cellar.restore.plan.RestoreTarget;
import dev.cellar.restore.plan.TargetTimeline;
import dev.cellar.storage.local.LocalStore;
import dev.cellar.storage.repository.BackupInfo;
import dev.cellar.storage.repository.BackupListing;
import dev.cellar.storage.repository.Repository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One restore of a full Cellar backup with the product's restore path, for {@code bench/restore.sh}:
 * the backup is read from the repository ({@link Repository#backups}, {@link Repository#backup}), a
 * {@link RestorePlan} for target {@code immediate} is made from it, and {@link PointInTimeRestore#export}
 * writes the data directory (unpacking with {@code --jobs} threads, fsyncing everything) with a
 * {@code restore_command} that fails ({@code false %f %p}), so no WAL is staged: the peers' restores
 * in the bench copy no WAL either. What the planner adds on top (reading the catalog and the
 * repository's WAL to choose backup, WAL and timeline) is left out: without WAL it has nothing to do.
 * Prints {@code data_bytes=N}, {@code wal_files=N} and {@code elapsed_ms=N} on success.
 *
 * <pre>RestoreBench --repository DIR --dest DIR [--jobs N] [--cluster NAME] [--backup ID]</pre>
 *
 * {@code --jobs} defaults to the number of processors, as {@link ExportOptions#into} does;
 * {@code --cluster} to the repository's only cluster; {@code --backup} to its newest complete
 * full backup. The destination must be empty or absent.
 */
public final class RestoreBench {
    /** A restore_command that fetches nothing: recovery would end at the backup's own WAL. */
    static final String NO_WAL = "false %f %p";

    private RestoreBench() {
    }

    public static void main(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                usage("unexpected " + args[i]);
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        if (args.length % 2 != 0) {
            usage("every option takes a value");
        }
        for (String required : new String[] {"repository", "dest"}) {
            if (!options.containsKey(required)) {
                usage("missing --" + required);
            }
        }
        Path directory = Path.of(options.get("repository"));
        if (!Files.isDirectory(directory)) {
            fail("no repository directory " + directory);
        }
        int jobs = options.containsKey("jobs") ? Integer.parseInt(options.get("jobs"))
                : Math.max(1, Runtime.getRuntime().availableProcessors());
        Repository repository = new Repository(LocalStore.open(directory));

        String cluster = options.get("cluster");
        if (cluster == null) {
            List<String> clusters = repository.clusterNames();
            if (clusters.size() != 1) {
                fail("the repository " + directory + " holds " + clusters.size() + " clusters " + clusters
                        + "; name one with --cluster");
            }
            cluster = clusters.getFirst();
        }
        BackupInfo info = chooseBackup(repository, cluster, Optional.ofNullable(options.get("backup")));
        if (info.kind() != BackupInfo.Kind.FULL) {
            fail("backup " + info.id() + " is incremental; RestoreBench restores full backups only");
        }
        if (!info.startTimeline().equals(TimelineId.INITIAL) || !info.endTimeline().equals(TimelineId.INITIAL)) {
            fail("backup " + info.id() + " is on timeline " + info.endTimeline() + "; RestoreBench plans timeline 1 only");
        }

        BackupRow row = RepositoryRecords.backup(info, BackupStatus.COMPLETE);
        RestoreTarget target = RestoreTarget.latest().withTarget(new RecoveryTarget.Immediate())
                .withTimeline(new TargetTimeline.Current()).withBackup(info.id());
        RestorePlan plan = new RestorePlan(cluster, target, List.of(row), TimelineHistory.initial(), info.startLsn(),
                info.endLsn(), List.of(), List.of(), Optional.empty(), List.of());
        ExportOptions exportOptions = ExportOptions.into(Path.of(options.get("dest"))).withJobs(jobs)
                .withRemoteWal(NO_WAL);

        ExportResult result = PointInTimeRestore.export(repository, plan, exportOptions, Clock.systemUTC());
        System.out.println("backup=" + info.id() + " jobs=" + jobs);
        System.out.println("data_bytes=" + result.dataBytes());
        System.out.println("wal_files=" + result.walFiles());
        System.out.println("elapsed_ms=" + result.elapsed().toMillis());
    }

    private static BackupInfo chooseBackup(Repository repository, String cluster, Optional<String> id) {
        if (id.isPresent()) {
            return repository.backup(cluster, id.get()).orElseGet(() -> {
                fail("cluster " + cluster + " has no complete backup " + id.get());
                return null;
            });
        }
        return repository.backups(cluster).stream()
                .filter(listing -> listing instanceof BackupListing.Complete)
                .map(listing -> ((BackupListing.Complete) listing).info())
                .filter(info -> info.kind() == BackupInfo.Kind.FULL)
                .max(Comparator.comparing(BackupInfo::endLsn))
                .orElseGet(() -> {
                    fail("cluster " + cluster + " has no complete full backup in the repository");
                    return null;
                });
    }

    private static void fail(String problem) {
        System.err.println("RestoreBench: " + problem);
        System.exit(1);
    }

    private static void usage(String problem) {
        System.err.println("RestoreBench: " + problem);
        System.err.println("usage: RestoreBench --repository DIR --dest DIR [--jobs N] [--cluster NAME] [--backup ID]");
        System.exit(2);
    }
}
