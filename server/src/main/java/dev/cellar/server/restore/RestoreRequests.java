package dev.cellar.server.restore;

import dev.cellar.core.Lsn;
import dev.cellar.restore.export.ExportOptions;
import dev.cellar.restore.plan.RecoveryTarget;
import dev.cellar.restore.plan.RestoreTarget;
import dev.cellar.restore.plan.TargetAction;
import dev.cellar.restore.plan.TargetTime;
import dev.cellar.restore.plan.TargetTimeline;
import dev.cellar.server.view.RestoreRequest;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Reads a {@link RestoreRequest} into what the restore module takes, the same way for
 * {@code backupctl restore} on a repository and for the server's API, so both accept and refuse
 * alike. Messages name the option as the caller wrote it: {@code --target-action} on the command
 * line, {@code targetAction} in the API's body. Pure.
 */
public final class RestoreRequests {
    /** Who asked: decides how options are named in messages and what the request may leave implicit. */
    public enum Caller {
        /** {@code backupctl restore} on a repository: a time without offset is read in the local zone. */
        COMMAND_LINE,
        /**
         * The admin API: a time must carry its offset (the server's zone is not the caller's), and
         * paths must be absolute (the server's working directory means nothing to the caller).
         */
        API;

        String name(String option, String field) {
            return this == COMMAND_LINE ? option : field;
        }
    }

    private RestoreRequests() {
    }

    /**
     * Where recovery stops and how.
     *
     * @param localZone the zone a time without offset is read in ({@link Caller#COMMAND_LINE})
     * @param readings  receives how a time without offset was read, to show with the plan
     * @throws IllegalArgumentException naming the option and what it takes
     * @throws dev.cellar.core.CellarException {@link dev.cellar.core.ErrorCode#INVALID_VALUE} for a malformed LSN
     */
    public static RestoreTarget target(RestoreRequest request, Caller caller, ZoneId localZone, List<String> readings) {
        long given = Stream.of(request.target(), request.targetTime(), request.targetLsn(), request.targetXid(),
                request.targetName()).filter(value -> value != null).count();
        if (given > 1) {
            throw new IllegalArgumentException("give at most one of " + String.join(", ",
                    caller.name("--target", "target"), caller.name("--target-time", "targetTime"),
                    caller.name("--target-lsn", "targetLsn"), caller.name("--target-xid", "targetXid"),
                    caller.name("--target-name", "targetName")));
        }
        RecoveryTarget recoveryTarget = new RecoveryTarget.Latest();
        if (request.targetTime() != null) {
            recoveryTarget = new RecoveryTarget.AtTime(time(request.targetTime(), caller, localZone, readings));
        } else if (request.targetLsn() != null) {
            recoveryTarget = new RecoveryTarget.AtLsn(Lsn.parse(request.targetLsn()));
        } else if (request.targetXid() != null) {
            recoveryTarget = new RecoveryTarget.AtXid(request.targetXid());
        } else if (request.targetName() != null) {
            recoveryTarget = new RecoveryTarget.AtName(request.targetName());
        } else if (request.target() != null) {
            recoveryTarget = switch (request.target().toLowerCase(Locale.ROOT)) {
                case "immediate" -> new RecoveryTarget.Immediate();
                case "latest" -> new RecoveryTarget.Latest();
                default -> throw new IllegalArgumentException(caller.name("--target", "target")
                        + " takes immediate or latest, not " + request.target());
            };
        }
        String action = Optional.ofNullable(request.targetAction()).orElse("promote");
        TargetAction targetAction;
        try {
            targetAction = TargetAction.valueOf(action.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(caller.name("--target-action", "targetAction")
                    + " takes promote, pause or shutdown, not " + action);
        }
        return new RestoreTarget(recoveryTarget,
                TargetTimeline.parse(Optional.ofNullable(request.targetTimeline()).orElse("latest")),
                !Boolean.TRUE.equals(request.exclusive()), targetAction, Optional.ofNullable(request.backup()));
    }

    private static java.time.Instant time(String text, Caller caller, ZoneId localZone, List<String> readings) {
        TargetTime time = TargetTime.parse(text, caller == Caller.API ? ZoneOffset.UTC : localZone);
        if (time.assumedZone().isPresent()) {
            if (caller == Caller.API) {
                throw new IllegalArgumentException("targetTime \"" + text + "\" has no offset, and the server's time"
                        + " zone is not the caller's: give one, e.g. 2026-11-20 10:00:00+00 or 2026-11-20T10:00:00Z");
            }
            readings.add(time.explanation());
        }
        return time.instant();
    }

    /**
     * How the export writes; the request must name a destination.
     *
     * @throws IllegalArgumentException for a missing or (through the API) relative path, jobs out of
     *                                  range, or a restore_command without {@code %f} and {@code %p}
     */
    public static ExportOptions options(RestoreRequest request, Caller caller) {
        if (request.dest() == null || request.dest().isBlank()) {
            throw new IllegalArgumentException(caller.name("--dest DIR", "dest") + " is required (or "
                    + caller.name("--dry-run", "dryRun") + " to only see the plan)");
        }
        Map<String, Path> tablespaces = new LinkedHashMap<>();
        Optional.ofNullable(request.tablespaceMap()).orElse(Map.of()).forEach((tablespace, location) ->
                tablespaces.put(tablespace, path(location, caller, caller.name("--tablespace-map " + tablespace,
                        "tablespaceMap." + tablespace))));
        ExportOptions options = ExportOptions.into(path(request.dest(), caller, caller.name("--dest", "dest")))
                .withTablespaceMap(tablespaces);
        if (request.jobs() != null) {
            options = options.withJobs(request.jobs());
        }
        if (request.remoteWal() != null) {
            if (request.remoteWal().chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException(caller.name("--remote-wal", "remoteWal")
                        + ": a restore_command is one line without control characters");
            }
            options = options.withRemoteWal(request.remoteWal());
        }
        if (request.sync() != null) {
            options = options.withSync(request.sync());
        }
        if (request.databases() != null && !request.databases().isEmpty()) {
            options = options.withDatabases(new LinkedHashSet<>(request.databases()));
        }
        return options;
    }

    private static Path path(String text, Caller caller, String what) {
        Path path = Path.of(text);
        if (caller == Caller.API && !path.isAbsolute()) {
            throw new IllegalArgumentException(what + " must be an absolute path on the server's machine, not "
                    + text);
        }
        return path;
    }
}
