package dev.cellar.server.cli;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.restore.wal.ArchivedWal;
import dev.cellar.restore.wal.ArchivedWalFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code backupctl wal-get}: one WAL segment or timeline history file, for a restored server's
 * {@code restore_command}: from the repository ({@code backupctl --repository R wal-get --cluster
 * c1 %f %p}), or from a server's API ({@code backupctl --server URL --token-file F wal-get ...}),
 * which reads it with the same code ({@link ArchivedWal}). Exits 1 only when the repository does
 * not hold the file, which tells recovery it has reached the end of the archive; any other failure
 * (a damaged object, an unreadable repository, a server that does not answer, a full disk) exits
 * {@value #FAILED_HARD}: PostgreSQL treats an exit status above 125 as fatal and stops recovery,
 * instead of ending it early at the damaged file and promoting there. The file is verified against
 * its SHA-256, written to a temporary name beside the target, fsynced and renamed, so recovery never
 * reads a half-written file. Reads no catalog, so it stays fast when called once per segment.
 */
@Command(name = "wal-get", mixinStandardHelpOptions = true,
        description = "Copy a WAL file from the repository, or the server with --server, to a path (for restore_command).")
final class WalGetCommand implements Callable<Integer> {
    private static final Pattern SHA256_DIGEST = Pattern.compile("(?:^|,)\\s*sha-256=:([A-Za-z0-9+/=]+):");

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

    /** The repository does not hold the file: the end of the archive for recovery. */
    static final int NOT_ARCHIVED = 1;
    /** Exit status for failures other than "not there": above 125, so recovery stops (FATAL). */
    static final int FAILED_HARD = 255;

    @Override
    public Integer call() {
        try {
            RepositoryOptions.Source source = parent.repository.source;
            return source != null && source.server != null ? fromServer() : fromRepository();
        } catch (RuntimeException | IOException e) {
            spec.commandLine().getErr().println("backupctl wal-get: cannot fetch " + fileName + " of cluster "
                    + cluster + ": " + e.getMessage());
            return FAILED_HARD;
        }
    }

    private int fromRepository() throws IOException {
        Optional<ArchivedWalFile> file = new ArchivedWal(parent.repository.openRepository()).open(cluster, fileName);
        if (file.isEmpty()) {
            return notArchived(fileName + " is not in the repository of cluster " + cluster);
        }
        try (ArchivedWalFile content = file.get()) {
            DurableFile.write(content.content(), destination, content.sha256());
        }
        return 0;
    }

    private int fromServer() throws IOException {
        ApiClient api = ApiClient.from(parent.repository);
        String path = "/api/v1/clusters/" + CatalogReads.Remote.encode(cluster) + "/wal/"
                + CatalogReads.Remote.encode(fileName);
        try (ApiClient.Download download = api.download(path)) {
            String digest = download.headers().firstValue("Content-Digest").orElse("");
            Matcher sha256 = SHA256_DIGEST.matcher(digest);
            if (!sha256.find()) {
                throw new CellarException(ErrorCode.PROTOCOL_ERROR, "the server at " + api.base() + " sent " + fileName
                        + " without a sha-256 Content-Digest", "use the backupctl of the server's version");
            }
            DurableFile.write(download.body(), destination,
                    HexFormat.of().formatHex(Base64.getDecoder().decode(sha256.group(1))));
            return 0;
        } catch (CellarException e) {
            if (e.code() == ErrorCode.WAL_NOT_FOUND) {
                return notArchived(e.getMessage());
            }
            throw e;
        }
    }

    private int notArchived(String message) {
        spec.commandLine().getErr().println("backupctl wal-get: " + message);
        return NOT_ARCHIVED;
    }
}
