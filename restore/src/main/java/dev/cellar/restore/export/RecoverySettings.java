package dev.cellar.restore.export;

import dev.cellar.restore.plan.RecoveryTarget;
import dev.cellar.restore.plan.RestorePlan;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The settings a restored data directory needs in {@code postgresql.auto.conf}: how to fetch WAL,
 * where to stop, on which timeline and what to do there, and overrides for what belonged to the
 * source cluster. {@code postgresql.auto.conf} is read after {@code postgresql.conf} (and whatever
 * Patroni wrote there), so these win wherever the source set the same names. Pure.
 */
public final class RecoverySettings {

    /** Where staged WAL lives, relative to the data directory (the server's working directory). */
    public static final String STAGED_WAL_DIRECTORY = "cellar_wal";

    /**
     * Settings of the source cluster that the restored one must not inherit: they would make it a
     * standby of the source, make it wait for a synchronous standby that is not there, archive its
     * WAL into the source's archive, or run the source's recovery commands. Removed from
     * {@code postgresql.auto.conf} and, where a value is needed, overridden.
     */
    static final Set<String> SOURCE_SETTINGS = Set.of("primary_conninfo", "primary_slot_name",
            "synchronous_standby_names", "archive_mode", "archive_command", "archive_library", "restore_command",
            "archive_cleanup_command", "recovery_end_command", "recovery_target", "recovery_target_lsn",
            "recovery_target_name", "recovery_target_time", "recovery_target_xid", "recovery_target_inclusive",
            "recovery_target_timeline", "recovery_target_action", "promote_trigger_file", "recovery_min_apply_delay");

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSSxxx")
            .withZone(ZoneOffset.UTC);

    private RecoverySettings() {
    }

    /**
     * The settings for {@code plan}, in the order they are written.
     *
     * @param restoreCommand the {@code restore_command}; see {@link #stagedRestoreCommand()}
     */
    public static Map<String, String> of(RestorePlan plan, String restoreCommand) {
        Objects.requireNonNull(restoreCommand, "restoreCommand");
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("restore_command", restoreCommand);
        // Every recovery_target_* is written, the unused ones empty and first: a target the source
        // left in postgresql.conf (Patroni writes recovery settings there) would otherwise make it
        // two. PostgreSQL applies each name at its last occurrence, in file order, and refuses a
        // second kind of target once one is set, even an empty one: so the chosen target comes last.
        String chosen = switch (plan.target().target()) {
            case RecoveryTarget.Latest() -> null;
            case RecoveryTarget.Immediate() -> "recovery_target";
            case RecoveryTarget.AtTime t -> "recovery_target_time";
            case RecoveryTarget.AtLsn l -> "recovery_target_lsn";
            case RecoveryTarget.AtXid x -> "recovery_target_xid";
            case RecoveryTarget.AtName n -> "recovery_target_name";
        };
        for (String name : List.of("recovery_target", "recovery_target_lsn", "recovery_target_name",
                "recovery_target_time", "recovery_target_xid")) {
            if (!name.equals(chosen)) {
                settings.put(name, "");
            }
        }
        switch (plan.target().target()) {
            case RecoveryTarget.Latest() -> { }
            case RecoveryTarget.Immediate() -> settings.put("recovery_target", "immediate");
            case RecoveryTarget.AtTime(var time) -> settings.put("recovery_target_time", targetTime(time));
            case RecoveryTarget.AtLsn(var lsn) -> settings.put("recovery_target_lsn", lsn.toString());
            case RecoveryTarget.AtXid(var xid) -> settings.put("recovery_target_xid", Long.toString(xid));
            case RecoveryTarget.AtName(var name) -> settings.put("recovery_target_name", name);
        }
        settings.put("recovery_target_inclusive", Boolean.toString(plan.target().inclusive()));
        settings.put("recovery_target_timeline", Long.toString(plan.path().timeline().value()));
        settings.put("recovery_target_action", plan.target().action().setting());
        // What belonged to the source cluster, emptied wherever the source set it.
        settings.put("primary_conninfo", "");
        settings.put("primary_slot_name", "");
        settings.put("synchronous_standby_names", "");
        settings.put("archive_mode", "off");
        settings.put("archive_command", "");
        settings.put("archive_cleanup_command", "");
        settings.put("recovery_end_command", "");
        settings.put("recovery_min_apply_delay", "0");
        if (plan.backup().pgVersion() < 160000) {
            settings.put("promote_trigger_file", ""); // removed in PostgreSQL 16: unknown there
        }
        return settings;
    }

    /** Copies WAL staged in the export; a missing file fails, which tells recovery it has reached the end. */
    public static String stagedRestoreCommand() {
        return "cp \"" + STAGED_WAL_DIRECTORY + "/%f\" \"%p\"";
    }

    /**
     * A time as {@code recovery_target_time} takes it, always with an explicit offset (UTC), so the
     * restored server's {@code TimeZone} cannot change its meaning:
     * {@code 2026-11-20 10:00:00.000000+00:00}.
     */
    public static String targetTime(Instant time) {
        return TIME.format(time);
    }

    /** The lines to append: a comment naming the restore, then one {@code name = 'value'} per setting. */
    static List<String> lines(Map<String, String> settings, String comment) {
        List<String> lines = new java.util.ArrayList<>();
        lines.add("# " + comment.replace('\n', ' '));
        settings.forEach((name, value) -> lines.add(name + " = " + quote(value)));
        return lines;
    }

    /** A configuration-file string: single quotes, quotes and backslashes doubled, line breaks escaped. */
    static String quote(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "''").replace("\n", "\\n").replace("\r", "\\r")
                + "'";
    }
}
