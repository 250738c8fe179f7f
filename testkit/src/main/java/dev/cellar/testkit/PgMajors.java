package dev.cellar.testkit;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The PostgreSQL majors the integration tests run against: all supported ones by default, or those
 * named by the system property {@code pg.majors} ({@code mvn verify -Dpg.majors=17}). Use as
 * {@code @MethodSource("dev.cellar.testkit.PgMajors#selected")} on a parameterized test.
 */
public final class PgMajors {
    /** Every major Cellar supports. */
    public static final List<Integer> SUPPORTED = List.of(15, 16, 17, 18);

    private PgMajors() {
    }

    public static List<Integer> selected() {
        String value = System.getProperty("pg.majors", "");
        if (value.isBlank()) {
            return SUPPORTED;
        }
        List<Integer> majors = Arrays.stream(value.split(","))
                .map(String::strip).filter(s -> !s.isEmpty()).map(Integer::valueOf).distinct().sorted().toList();
        for (int major : majors) {
            if (!SUPPORTED.contains(major)) {
                throw new IllegalArgumentException("pg.majors names " + major + "; supported: " + SUPPORTED);
            }
        }
        return majors;
    }

    /** The selected majors that have incremental backup (17 and newer). */
    public static List<Integer> selectedWithIncremental() {
        return selected().stream().filter(m -> m >= 17).toList();
    }

    /** The newest selected major, for tests that need one server of any version. */
    public static int newestSelected() {
        return selected().getLast();
    }

    static boolean isSupported(int major) {
        return Set.copyOf(SUPPORTED).contains(major);
    }
}
