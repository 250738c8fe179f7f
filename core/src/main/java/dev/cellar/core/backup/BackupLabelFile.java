package dev.cellar.core.backup;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The backup_label text format: one {@code KEY: value} line per fact, each ending with a newline,
 * matched by prefix as pg_combinebackup's backup_label.c does ({@code line_starts_with}).
 */
final class BackupLabelFile {

    static final String START_WAL_LOCATION = "START WAL LOCATION: ";
    static final String CHECKPOINT_LOCATION = "CHECKPOINT LOCATION: ";
    static final String BACKUP_METHOD = "BACKUP METHOD: ";
    static final String BACKUP_FROM = "BACKUP FROM: ";
    static final String START_TIME = "START TIME: ";
    static final String LABEL = "LABEL: ";
    static final String START_TIMELINE = "START TIMELINE: ";
    static final String INCREMENTAL_FROM_LSN = "INCREMENTAL FROM LSN: ";
    static final String INCREMENTAL_FROM_TLI = "INCREMENTAL FROM TLI: ";

    private static final List<String> KEYS = List.of(START_WAL_LOCATION, CHECKPOINT_LOCATION, BACKUP_METHOD,
            BACKUP_FROM, START_TIME, LABEL, START_TIMELINE, INCREMENTAL_FROM_LSN, INCREMENTAL_FROM_TLI);
    private static final List<String> REQUIRED = KEYS.subList(0, 7);

    // "%X/%X (file %s)" with the name XLogFileName writes: 24 upper-case hex digits.
    private static final Pattern START_WAL = Pattern.compile("(\\S+) \\(file ([0-9A-F]{24})\\)");
    // "%Y-%m-%d %H:%M:%S %Z" in log_timezone.
    private static final Pattern START_TIME_FORMAT =
            Pattern.compile("(\\d{4})-(\\d{2})-(\\d{2}) (\\d{2}):(\\d{2}):(\\d{2}) (\\S+)");
    private static final Pattern NUMERIC_ZONE = Pattern.compile("([+-])(\\d{2})(?::?(\\d{2}))?");

    private static final String HINT = "A backup_label is written by the PostgreSQL server and must be used exactly "
            + "as received; if this one is damaged, take a new backup.";

    private BackupLabelFile() {
    }

    static BackupLabel parse(byte[] content, String source) {
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(source, "source");
        if (content.length > 0 && content[content.length - 1] != '\n') {
            throw invalid(source, lines(content).size(), "the last line does not end with a newline: the file is truncated");
        }
        Map<String, String> values = new HashMap<>();
        Map<String, Integer> lineOfKey = new HashMap<>();
        List<String> otherLines = new ArrayList<>();
        List<String> lines = lines(content);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Optional<String> key = KEYS.stream().filter(line::startsWith).findFirst();
            if (key.isEmpty()) {
                otherLines.add(line);
                continue;
            }
            Integer earlier = lineOfKey.putIfAbsent(key.get(), i + 1);
            if (earlier != null) {
                throw invalid(source, i + 1, "a second \"%s\" line (the first is line %d)".formatted(name(key.get()), earlier));
            }
            values.put(key.get(), line.substring(key.get().length()));
        }
        for (String key : REQUIRED) {
            if (!values.containsKey(key)) {
                throw invalid(source, -1, "no \"%s\" line".formatted(name(key)));
            }
        }
        if (values.containsKey(INCREMENTAL_FROM_LSN) != values.containsKey(INCREMENTAL_FROM_TLI)) {
            String present = values.containsKey(INCREMENTAL_FROM_LSN) ? INCREMENTAL_FROM_LSN : INCREMENTAL_FROM_TLI;
            String missing = present.equals(INCREMENTAL_FROM_LSN) ? INCREMENTAL_FROM_TLI : INCREMENTAL_FROM_LSN;
            throw invalid(source, lineOfKey.get(present), "\"%s\" requires \"%s\", which is missing"
                    .formatted(name(present), name(missing)));
        }
        Field field = new Field(source, values, lineOfKey);

        Matcher start = START_WAL.matcher(values.get(START_WAL_LOCATION));
        if (!start.matches()) {
            throw field.invalid(START_WAL_LOCATION, "expected \"<LSN> (file <24 hex digits>)\"");
        }
        Lsn startWalLocation = field.lsn(START_WAL_LOCATION, start.group(1));
        String startWalFile = start.group(2);
        Lsn checkpoint = field.lsn(CHECKPOINT_LOCATION, values.get(CHECKPOINT_LOCATION));
        String method = values.get(BACKUP_METHOD);
        if (method.isEmpty()) {
            throw field.invalid(BACKUP_METHOD, "the method is empty");
        }
        BackupSource from = switch (values.get(BACKUP_FROM)) {
            case "primary" -> BackupSource.PRIMARY;
            case "standby" -> BackupSource.STANDBY;
            default -> throw field.invalid(BACKUP_FROM, "expected \"primary\" or \"standby\"");
        };
        TimelineId timeline = field.timeline(START_TIMELINE, values.get(START_TIMELINE));
        // build_backup_content names the start file with XLogFileName(starttli, …).
        if (!startWalFile.startsWith(timeline.toHex())) {
            throw field.invalid(START_WAL_LOCATION, "the file %s is not on the start timeline %s"
                    .formatted(startWalFile, timeline));
        }
        Optional<Lsn> incrementalLsn = Optional.ofNullable(values.get(INCREMENTAL_FROM_LSN))
                .map(text -> field.lsn(INCREMENTAL_FROM_LSN, text));
        Optional<TimelineId> incrementalTimeline = Optional.ofNullable(values.get(INCREMENTAL_FROM_TLI))
                .map(text -> field.timeline(INCREMENTAL_FROM_TLI, text));
        return new BackupLabel(content, startWalLocation, startWalFile, checkpoint, method, from,
                values.get(START_TIME), values.get(LABEL), timeline, incrementalLsn, incrementalTimeline, otherLines);
    }

    /** The values of one parsed file, for messages that name the line of a key. */
    private record Field(String source, Map<String, String> values, Map<String, Integer> lineOfKey) {

        CellarException invalid(String key, String problem) {
            return BackupLabelFile.invalid(source, lineOfKey.get(key),
                    "%s \"%s\": %s".formatted(name(key), values.get(key), problem));
        }

        Lsn lsn(String key, String text) {
            try {
                return Lsn.parse(text);
            } catch (CellarException e) {
                throw invalid(key, e.getMessage());
            }
        }

        TimelineId timeline(String key, String text) {
            try {
                return TimelineId.parse(text);
            } catch (CellarException e) {
                throw invalid(key, e.getMessage());
            }
        }
    }

    static BackupLabel withoutIncrementalLines(BackupLabel label) {
        if (!label.isIncremental()) {
            return label;
        }
        byte[] content = label.bytes();
        ByteArrayOutputStream kept = new ByteArrayOutputStream(content.length);
        int lineStart = 0;
        for (int i = 0; i < content.length; i++) {
            if (content[i] == '\n') {
                if (!startsWith(content, lineStart, INCREMENTAL_FROM_LSN) && !startsWith(content, lineStart, INCREMENTAL_FROM_TLI)) {
                    kept.write(content, lineStart, i + 1 - lineStart);
                }
                lineStart = i + 1;
            }
        }
        return parse(kept.toByteArray(), "backup_label without INCREMENTAL lines");
    }

    private static boolean startsWith(byte[] content, int from, String prefix) {
        byte[] ascii = prefix.getBytes(StandardCharsets.US_ASCII);
        return content.length - from >= ascii.length
                && Arrays.equals(content, from, from + ascii.length, ascii, 0, ascii.length);
    }

    /**
     * {@code START TIME} as an instant when its zone is {@code UTC}, {@code GMT} or a numeric offset
     * ({@code +03}, {@code -0330}, {@code +05:30}: what the tz database prints for zones without an
     * abbreviation); empty for any other zone or shape.
     */
    static Optional<Instant> parseStartTime(String text) {
        Matcher m = START_TIME_FORMAT.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        Optional<ZoneOffset> offset = offset(m.group(7));
        if (offset.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(LocalDateTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                            Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)),
                            Integer.parseInt(m.group(6)))
                    .toInstant(offset.get()));
        } catch (DateTimeException e) {
            return Optional.empty();
        }
    }

    private static Optional<ZoneOffset> offset(String zone) {
        if (zone.equals("UTC") || zone.equals("GMT")) {
            return Optional.of(ZoneOffset.UTC);
        }
        Matcher m = NUMERIC_ZONE.matcher(zone);
        if (!m.matches()) {
            return Optional.empty();
        }
        int hours = Integer.parseInt(m.group(2));
        int minutes = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
        int sign = m.group(1).equals("-") ? -1 : 1;
        try {
            return Optional.of(ZoneOffset.ofHoursMinutes(sign * hours, sign * minutes));
        } catch (DateTimeException e) {
            return Optional.empty();
        }
    }

    // Split on the byte '\n' (which never occurs inside a UTF-8 sequence), then decode each line;
    // the final newline ends the last line rather than starting an empty one.
    private static List<String> lines(byte[] content) {
        List<String> lines = new ArrayList<>();
        int lineStart = 0;
        for (int i = 0; i < content.length; i++) {
            if (content[i] == '\n') {
                lines.add(new String(content, lineStart, i - lineStart, StandardCharsets.UTF_8));
                lineStart = i + 1;
            }
        }
        if (lineStart < content.length) {
            lines.add(new String(content, lineStart, content.length - lineStart, StandardCharsets.UTF_8));
        }
        return lines;
    }

    private static String name(String key) {
        return key.substring(0, key.length() - 2);
    }

    private static CellarException invalid(String source, int line, String problem) {
        String where = line > 0 ? "%s, line %d".formatted(source, line) : source;
        return new CellarException(ErrorCode.INVALID_VALUE, "invalid backup label %s: %s".formatted(where, problem), HINT);
    }
}
