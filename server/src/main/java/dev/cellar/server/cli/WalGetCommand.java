package dev.cellar.server.cli;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.WalFileKind;
import dev.cellar.core.WalFileNames;
import dev.cellar.core.WalSegmentName;
import dev.cellar.core.WalSegmentSize;
import dev.cellar.storage.repository.ClusterInfo;
import dev.cellar.storage.repository.Repository;
import dev.cellar.storage.repository.StoredHistory;
import dev.cellar.storage.repository.StoredWal;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code backupctl wal-get}: one WAL segment or timeline history file from the repository, for a
 * restored server's {@code restore_command} ({@code backupctl --repository R wal-get --cluster c1
 * %f %p}). Exits 1 only when the repository does not hold the file, which tells recovery it has
 * reached the end of the archive; any other failure (a damaged object, an unreadable repository,
 * a full disk) exits {@value #FAILED_HARD}: PostgreSQL treats an exit status above 125 as fatal and
 * stops recovery, instead of ending it early at the damaged file and promoting there. The file is verified against its checksums and written to a temporary
 * name, then renamed, so recovery never reads a half-written file. Reads only the repository (no
 * catalog), so it stays fast when called once per segment.
 */
@Command(name = "wal-get", mixinStandardHelpOptions = true,
        description = "Copy a WAL file from the repository to a path (for restore_command).")
final class WalGetCommand implements Callable<Integer> {
    @ParentCommand
    BackupCtl parent;

    @Option(names = "--cluster", required = true, description = "The cluster.")
    String cluster;

    @Parameters(index = "0", paramLabel = "FILE", description = "The file recovery asks for (%f).")
    String fileName;

    @Parameters(index = "1", paramLabel = "DEST", description = "Where to write it (%p).")
    Path destination;

    @Spec
    CommandSpec spec;

    /** Exit status for failures other than "not there": above 125, so recovery stops (FATAL). */
    static final int FAILED_HARD = 255;

    @Override
    public Integer call() {
        try {
            return fetch();
        } catch (RuntimeException | IOException e) {
            spec.commandLine().getErr().println("backupctl wal-get: cannot fetch " + fileName + " of cluster "
                    + cluster + ": " + e.getMessage());
            return FAILED_HARD;
        }
    }

    private int fetch() throws IOException {
        Repository repo = parent.repository.openRepository();
        ClusterInfo info = repo.cluster(cluster).orElseThrow(() -> new CellarException(ErrorCode.RESTORE_FAILED,
                "the repository has no cluster \"" + cluster + "\"", "known clusters: " + repo.clusterNames()));
        WalSegmentSize size = WalSegmentSize.of(info.walSegmentSize());
        Optional<InputStream> content = switch (WalFileNames.parse(fileName, size)) {
            case WalFileKind.Segment(WalSegmentName segment) -> segment(repo, segment);
            case WalFileKind.PartialSegment(WalSegmentName segment) ->
                    repo.findWal(cluster, segment, true).map(repo::openWal);
            case WalFileKind.History history -> repo.histories(cluster).stream()
                    .filter(h -> h.history().timeline().equals(history.historyOf()))
                    .findFirst().map(StoredHistory::history)
                    .map(h -> new java.io.ByteArrayInputStream(h.format()));
            default -> Optional.empty();
        };
        if (content.isEmpty()) {
            spec.commandLine().getErr().println("backupctl wal-get: " + fileName + " is not in the repository of"
                    + " cluster " + cluster);
            return 1;
        }
        Path target = destination.toAbsolutePath();
        Path temp = target.resolveSibling(target.getFileName() + ".cellar-tmp");
        try (InputStream in = content.get(); OutputStream out = Files.newOutputStream(temp)) {
            in.transferTo(out);
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return 0;
    }

    /**
     * A complete segment, or else the zero-padded {@code .partial} of the newest timeline's last
     * segment, which recovery reads up to its zeros (as when staging).
     */
    private Optional<InputStream> segment(Repository repo, WalSegmentName segment) {
        Optional<StoredWal> stored = repo.findWal(cluster, segment, false);
        if (stored.isEmpty()) {
            stored = repo.findWal(cluster, segment, true);
        }
        return stored.map(repo::openWal);
    }
}
