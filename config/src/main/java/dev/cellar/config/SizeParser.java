package dev.cellar.config;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte sizes as written in configuration: a whole number and an optional unit. As in PostgreSQL's
 * own configuration (and pgBackRest's), {@code kB}, {@code MB}, {@code GB} and {@code TB} are powers
 * of 1024, so {@code 16MB} means what {@code SHOW wal_segment_size} means by it; the IEC spellings
 * {@code KiB}, {@code MiB}, {@code GiB}, {@code TiB} are accepted as synonyms. No unit or {@code B}
 * means bytes. Units ignore case.
 * Stateless and thread-safe.
 */
public final class SizeParser {
    private static final Pattern FORMAT = Pattern.compile("(\\d+)\\s*([a-zA-Z]*)");
    private static final Map<String, Long> UNITS = Map.of(
            "", 1L, "b", 1L,
            "kb", 1L << 10, "mb", 1L << 20, "gb", 1L << 30, "tb", 1L << 40,
            "kib", 1L << 10, "mib", 1L << 20, "gib", 1L << 30, "tib", 1L << 40);
    private static final String EXPECTED =
            "expected a whole number and a unit (B, kB, MB, GB, TB, KiB, MiB, GiB, TiB), e.g. 100MB";

    private SizeParser() {
    }

    /**
     * The number of bytes {@code text} stands for.
     *
     * @throws CellarException ({@code INVALID_VALUE}) quoting the text and the expected form
     */
    public static long parse(String text) {
        Matcher m = FORMAT.matcher(text.strip());
        if (!m.matches()) {
            throw invalid(text, EXPECTED);
        }
        Long unit = UNITS.get(m.group(2).toLowerCase(Locale.ROOT));
        if (unit == null) {
            throw invalid(text, "unknown unit '" + m.group(2) + "'; " + EXPECTED);
        }
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw invalid(text, "too large");
        }
    }

    private static CellarException invalid(String text, String reason) {
        return new CellarException(ErrorCode.INVALID_VALUE, "invalid size '" + text + "': " + reason);
    }
}
