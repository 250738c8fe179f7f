package dev.cellar.server.cli;

import dev.cellar.restore.plan.RestoreTarget;
import dev.cellar.restore.plan.TargetTime;
import dev.cellar.server.restore.RestoreRequests;
import dev.cellar.server.view.RestoreRequest;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code backupctl restore}: a point-in-time restore into a new data directory, written by the
 * server on its machine when one answers ({@link ApiRestore}), else by this command from the
 * repository ({@link LocalRestore}).
 */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Export a data directory of a cluster as it was at a target, ready for pg_ctl start.",
                "The plan is checked before anything is written: a target outside the recoverable window,"
                        + " a WAL gap or a non-empty destination is refused with the reason.",
                "With --server (or --config while its server answers) the server writes the data directory on"
                        + " its own machine: --dest is a path there (inside the container with Docker)."})
final class RestoreCommand implements Callable<Integer> {
    @ParentCommand
    BackupCtl parent;

    @Option(names = "--cluster", required = true, description = "The cluster to restore.")
    String cluster;

    @ArgGroup(exclusive = true)
    Target target;

    static final class Target {
        @Option(names = "--target-time", paramLabel = "TIME", description = {"Stop before the first transaction that"
                + " ended after TIME, e.g. '2026-11-20 10:00:00+00'.", "Without an offset, TIME is read in this"
                + " machine's time zone (said in the output); Cellar writes it with an explicit offset."})
        String time;

        @Option(names = "--target-lsn", paramLabel = "LSN", description = "Stop at this WAL position.")
        String lsn;

        @Option(names = "--target-xid", paramLabel = "XID", description = "Stop at the end of this transaction.")
        Long xid;

        @Option(names = "--target-name", paramLabel = "NAME", description = "Stop at this restore point"
                + " (pg_create_restore_point).")
        String name;

        @Option(names = "--target", paramLabel = "immediate|latest", description = "immediate: the end of the"
                + " backup; latest (the default): replay all archived WAL.")
        String keyword;
    }

    @Option(names = "--target-timeline", paramLabel = "N|latest|current", defaultValue = "latest",
            description = "The timeline to follow (default ${DEFAULT-VALUE}).")
    String timeline;

    @Option(names = "--exclusive", description = "Stop just before the target instead of just after it.")
    boolean exclusive;

    @Option(names = "--target-action", paramLabel = "promote|pause|shutdown", defaultValue = "promote",
            description = "What the restored server does at the target (default ${DEFAULT-VALUE}).")
    String action;

    @Option(names = "--backup", paramLabel = "ID", description = "Restore this backup instead of the newest that fits.")
    String backupId;

    @Option(names = "--dest", paramLabel = "DIR", description = {"The new data directory: empty or absent.",
            "Through a server, an absolute path on the server's machine."})
    Path destination;

    @Option(names = "--tablespace-map", paramLabel = "OID_OR_NAME=DIR",
            description = "Put a tablespace elsewhere than its original location (repeatable).")
    Map<String, Path> tablespaceMap = new LinkedHashMap<>();

    @Option(names = {"-j", "--jobs"}, paramLabel = "N", description = "Parallel unpacking (default: processors).")
    Integer jobs;

    @Option(names = "--remote-wal", description = {"Instead of staging WAL inside the export, fetch it at recovery"
            + " time with 'backupctl wal-get', from the repository, or from the server with --server (its URL"
            + " and --token-file are written into restore_command).", "Names this backupctl when the"
            + " distribution's launcher runs it, else backupctl on the restored server's PATH."})
    boolean remoteWal;

    @Option(names = "--databases", paramLabel = "NAME", split = ",", description = {"Restore only these databases"
            + " (and postgres, template0, template1) with their data; the others come back empty (sparse, zeroed"
            + " relation files) and must be dropped once the server is promoted."})
    List<String> databases = new ArrayList<>();

    @Option(names = "--no-sync", description = "Do not fsync the export (faster; only for throwaway restores).")
    boolean noSync;

    @Option(names = "--dry-run", description = "Print the plan and write nothing.")
    boolean dryRun;

    @Option(names = "--json", description = "Print the plan and the result as JSON.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        RestoreRequest asked = request(time(), null);
        List<String> readings = new ArrayList<>();
        // Checked here first, so a wrong command line fails the same way with or without a server.
        RestoreTarget target = RestoreRequests.target(asked, RestoreRequests.Caller.COMMAND_LINE, ZoneId.systemDefault(),
                readings);
        if (!dryRun) {
            RestoreRequests.options(asked, RestoreRequests.Caller.COMMAND_LINE);
        }
        Optional<ApiClient> api = ServerChoice.server(parent.repository, err, "restoring from the repository directly");
        if (api.isPresent()) {
            return ApiRestore.run(api.get(), cluster, throughServer(), readings, json, out, err);
        }
        RestoreRequest local = request(time(), remoteWal ? WalGetCommandLine.forRepository(program(),
                parent.repository.repositoryPath(), cluster) : null);
        return LocalRestore.run(parent.repository, cluster, local, target, readings, json, out, err);
    }

    /**
     * The request the server gets: a time resolved here with its offset (the server's zone is not
     * this machine's), absolute paths (it writes on its own machine), and a restore_command that
     * reaches the repository the way this command did.
     */
    private RestoreRequest throughServer() {
        String time = target == null || target.time == null ? null : TargetTime.parse(target.time,
                ZoneId.systemDefault()).instant().toString();
        String command = null;
        if (remoteWal) {
            RepositoryOptions options = parent.repository;
            command = options.source.server != null
                    ? WalGetCommandLine.forServer(program(), options.source.server, options.tokenFile, cluster)
                    : WalGetCommandLine.forRepository(program(), options.repositoryPath(), cluster);
        }
        if (destination != null && !destination.isAbsolute()) {
            throw new IllegalArgumentException("--dest must be an absolute path: the server writes it on its own"
                    + " machine, not " + destination);
        }
        tablespaceMap.forEach((tablespace, location) -> {
            if (!location.isAbsolute()) {
                throw new IllegalArgumentException("--tablespace-map " + tablespace + " must be an absolute path:"
                        + " the server writes it on its own machine, not " + location);
            }
        });
        return request(time, command);
    }

    private String time() {
        return target == null ? null : target.time;
    }

    private static String program() {
        return WalGetCommandLine.program(System.getenv());
    }

    private RestoreRequest request(String time, String restoreCommand) {
        Map<String, String> tablespaces = new LinkedHashMap<>();
        tablespaceMap.forEach((tablespace, location) -> tablespaces.put(tablespace, location.toString()));
        return new RestoreRequest(target == null ? null : target.keyword, time, target == null ? null : target.lsn,
                target == null ? null : target.xid, target == null ? null : target.name, timeline, exclusive,
                action, backupId, destination == null ? null : destination.toString(), jobs, tablespaces,
                List.copyOf(databases), restoreCommand, !noSync, dryRun);
    }
}
