package dev.cellar.server.cli;

import dev.cellar.server.view.BackupView;
import dev.cellar.server.view.ViewJson;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code backupctl keep ID --until DATE | --forever | --release}: pins a backup against retention. */
@Command(name = "keep", mixinStandardHelpOptions = true,
        description = "Keep a backup from retention until a date or for ever, or release it again.")
final class KeepCommand implements Callable<Integer> {
    @ParentCommand
    BackupCtl parent;

    @Parameters(paramLabel = "ID", description = "The backup's ID.")
    String id;

    @ArgGroup(exclusive = true, multiplicity = "1")
    How how;

    static final class How {
        @Option(names = "--until", paramLabel = "DATE",
                description = "Keep until this day (YYYY-MM-DD, end of the day in backupctl's time zone) or time"
                        + " (ISO-8601 with offset).")
        String until;

        @Option(names = "--forever", description = "Keep for ever.")
        boolean forever;

        @Option(names = "--release", description = "Let retention decide again.")
        boolean release;
    }

    @Option(names = "--json", description = "Print the backup as JSON.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        ApiClient api = ApiClient.from(parent.repository);
        String path = "/api/v1/backups/" + CatalogReads.Remote.encode(id) + "/keep";
        BackupView backup = how.release ? api.send("DELETE", path, null, BackupView.class)
                : api.send("PUT", path, how.forever ? Map.of("forever", true)
                        : Map.of("until", parseUntil(how.until).toString()), BackupView.class);
        if (json) {
            out.println(ViewJson.write(backup));
        } else if (how.release) {
            out.println("backup " + backup.id() + " released: retention decides about it again");
        } else {
            out.println("backup " + backup.id() + " kept " + (backup.keepForever() ? "for ever"
                    : "until " + Times.short_(backup.keepUntil())));
        }
        return 0;
    }

    /** A day means its end (kept through that day), in backupctl's zone; a time needs its offset. */
    static Instant parseUntil(String text) {
        try {
            LocalDate day = LocalDate.parse(text);
            return day.plusDays(1).atStartOfDay(ZoneId.systemDefault()).toInstant();
        } catch (DateTimeParseException notADay) {
            try {
                return java.time.OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("--until needs a day (2027-01-31) or a time with offset"
                        + " (2027-01-31T12:00:00+01:00): " + text);
            }
        }
    }
}
