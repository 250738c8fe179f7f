package dev.cellar.server.cli;

import dev.cellar.core.CellarException;
import dev.cellar.server.logging.RootLogLevel;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code backupctl}: the command line of Cellar. Exit codes: 0 success; 1 a check or status found
 * problems; 2 the command line is wrong; otherwise the number of the error's {@link
 * dev.cellar.core.ErrorCode} (10..99, docs/errors.md), printed as {@code ERROR: [NNN]: ...} with a
 * {@code HINT:} line. {@code wal-get} has its own codes for PostgreSQL's restore_command.
 */
@Command(name = "backupctl", mixinStandardHelpOptions = true, versionProvider = BackupCtl.Version.class,
        description = "Cellar: backups, WAL and point-in-time restores of PostgreSQL clusters.",
        subcommands = {QuickstartCommand.class, ServeCommand.class, StatusCommand.class, CheckCommand.class, ListClustersCommand.class,
                ListBackupsCommand.class, ShowBackupCommand.class, BackupCommand.class, RestoreCommand.class,
                DeleteCommand.class, KeepCommand.class, WalStatusCommand.class, WalGetCommand.class, ReloadCommand.class,
                CommandLine.HelpCommand.class})
public final class BackupCtl {
    @Mixin
    RepositoryOptions repository = new RepositoryOptions();

    /** A check or the status found problems (the output lists them). */
    public static final int FAILED = 1;
    /** The command line is wrong. */
    public static final int USAGE = 2;

    private static volatile boolean interactive;

    public static void main(String[] args) {
        interactive = ProgressDisplay.stdoutIsTerminal();
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Whether progress may redraw a line: the command runs from main() with a terminal on stdout. */
    static boolean interactive() {
        return interactive;
    }

    /** Runs one command line, printing to {@code out} and {@code err}; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        quietLibraryLogging();
        CommandLine line = new CommandLine(new BackupCtl());
        line.setOut(out);
        line.setErr(err);
        line.setExitCodeExceptionMapper(e -> e instanceof CellarException c ? c.code().number() : USAGE);
        line.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof CellarException c) {
                err.println(c.describe());
                return c.code().number();
            }
            if (e instanceof IllegalArgumentException) {
                err.println("backupctl: " + e.getMessage());
                return USAGE;
            }
            throw e;
        });
        return line.execute(args);
    }

    /** Libraries log their progress at INFO for the daemon's log; a command prints its own. */
    private static void quietLibraryLogging() {
        RootLogLevel.forCommand();
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = BackupCtl.class.getPackage().getImplementationVersion();
            return new String[] {"backupctl " + (version == null ? "(development build)" : version)};
        }
    }
}
