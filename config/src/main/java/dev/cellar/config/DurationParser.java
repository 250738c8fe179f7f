package dev.cellar.config;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as written in configuration: a whole number and one unit, {@code 30s}, {@code 30m},
 * {@code 12h}, {@code 14d}, {@code 2w}. A day is 24 hours and a week 7 days (retention counts
 * elapsed time, not calendar days). Stateless and thread-safe.
 */
public final class DurationParser {
    private static final Pattern FORMAT = Pattern.compile("(\\d+)\\s*([a-zA-Z]*)");
    private static final Map<String, Duration> UNITS = Map.of(
            "s", ChronoUnit.SECONDS.getDuration(),
            "m", ChronoUnit.MINUTES.getDuration(),
            "h", ChronoUnit.HOURS.getDuration(),
            "d", ChronoUnit.DAYS.getDuration(),
            "w", ChronoUnit.WEEKS.getDuration());
    private static final String EXPECTED = "expected a whole number followed by s, m, h, d or w, e.g. 14d";

    private DurationParser() {
    }

    /**
     * The duration {@code text} stands for.
     *
     * @throws CellarException ({@code INVALID_VALUE}) quoting the text and the expected form
     */
    public static Duration parse(String text) {
        Matcher m = FORMAT.matcher(text.strip());
        if (!m.matches()) {
            throw invalid(text, EXPECTED);
        }
        Duration unit = UNITS.get(m.group(2));
        if (unit == null) {
            throw invalid(text, m.group(2).isEmpty() ? "missing unit; " + EXPECTED
                    : "unknown unit '" + m.group(2) + "'; " + EXPECTED);
        }
        try {
            return unit.multipliedBy(Long.parseLong(m.group(1)));
        } catch (NumberFormatException | ArithmeticException e) {
            throw invalid(text, "too large");
        }
    }

    private static CellarException invalid(String text, String reason) {
        return new CellarException(ErrorCode.INVALID_VALUE, "invalid duration '" + text + "': " + reason);
    }
}
