package dev.cellar.restore.plan;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@code --target-time} as a user typed it: {@code 2026-11-20 10:00:00+00},
 * {@code 2026-11-20T10:00:00.5Z}, {@code 2026-11-20 10:00:00+05:30}, or without an offset
 * ({@code 2026-11-20 10:00}), which is read in the time zone of the machine running
 * {@code backupctl} — and said so, because PostgreSQL would read a bare time in the restored
 * server's {@code TimeZone} instead. Cellar always writes the result with an explicit offset.
 *
 * @param instant     the moment
 * @param assumedZone the zone a bare time was read in; empty when the text had an offset
 * @param text        what was typed
 */
public record TargetTime(Instant instant, Optional<ZoneId> assumedZone, String text) {
    private static final DateTimeFormatter LOCAL = new DateTimeFormatterBuilder()
            .parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .optionalStart().appendLiteral('T').optionalEnd()
            .optionalStart().appendLiteral(' ').optionalEnd()
            .appendValue(ChronoField.HOUR_OF_DAY, 2).appendLiteral(':')
            .appendValue(ChronoField.MINUTE_OF_HOUR, 2)
            .optionalStart().appendLiteral(':').appendValue(ChronoField.SECOND_OF_MINUTE, 2)
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
            .optionalEnd()
            .toFormatter();
    private static final DateTimeFormatter WITH_OFFSET = new DateTimeFormatterBuilder()
            .append(LOCAL)
            .optionalStart().appendLiteral(' ').optionalEnd()
            .appendOffset("+HH:mm", "Z")
            .toFormatter();
    private static final DateTimeFormatter WITH_SHORT_OFFSET = new DateTimeFormatterBuilder()
            .append(LOCAL)
            .optionalStart().appendLiteral(' ').optionalEnd()
            .appendOffset("+HHmm", "Z")
            .toFormatter();

    public TargetTime {
        // PostgreSQL keeps timestamps to the microsecond: plan with exactly what will be written.
        instant = Objects.requireNonNull(instant, "instant").truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        Objects.requireNonNull(assumedZone, "assumedZone");
        Objects.requireNonNull(text, "text");
    }

    /**
     * @param localZone the zone a time without offset is read in
     * @throws IllegalArgumentException naming the accepted forms if {@code text} is none of them
     */
    public static TargetTime parse(String text, ZoneId localZone) {
        Objects.requireNonNull(text, "text");
        String value = text.strip();
        for (DateTimeFormatter format : new DateTimeFormatter[] {WITH_OFFSET, WITH_SHORT_OFFSET}) {
            try {
                return new TargetTime(OffsetDateTime.parse(value, format).toInstant(), Optional.empty(), text);
            } catch (DateTimeException e) {
                // try the next form
            }
        }
        try {
            LocalDateTime local = LocalDateTime.parse(value, LOCAL);
            return new TargetTime(local.atZone(localZone).toInstant(), Optional.of(localZone), text);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("cannot read \"" + text + "\" as a time: use YYYY-MM-DD HH:MM[:SS[.ffffff]]"
                    + " with an offset such as +00, +01:00 or Z (without one, the local time zone " + localZone
                    + " is used)");
        }
    }

    /** For output: how the text was read, e.g. {@code 2026-11-20 10:00:00 read in Europe/Berlin (no offset given)}. */
    public String explanation() {
        return assumedZone.map(zone -> "\"%s\" has no offset: read in %s, the time zone of this machine, as %s"
                .formatted(text, zone, RecoverySettingsFormat.utc(instant))).orElse(RecoverySettingsFormat.utc(instant));
    }

    /** Formatting shared with the recovery settings. */
    static final class RecoverySettingsFormat {
        private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSSxxx")
                .withZone(java.time.ZoneOffset.UTC);

        private RecoverySettingsFormat() {
        }

        static String utc(Instant instant) {
            return UTC.format(instant);
        }
    }
}
