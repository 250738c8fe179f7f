package dev.cellar.server.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Times and durations in tables: UTC to the second, ages in the largest sensible unit. */
final class Times {
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);

    private Times() {
    }

    /** {@code 2026-11-21 10:00:00Z}, or {@code null} (printed as -). */
    static String short_(Instant instant) {
        return instant == null ? null : UTC.format(instant);
    }

    /** {@code 45 s}, {@code 12 min}, {@code 5 h}, {@code 3 d}. */
    static String age(Duration age) {
        long s = Math.max(0, age.toSeconds());
        if (s < 120) {
            return s + " s";
        }
        if (s < 2 * 3600) {
            return s / 60 + " min";
        }
        if (s < 2 * 86400) {
            return s / 3600 + " h";
        }
        return s / 86400 + " d";
    }
}
