package dev.cellar.config;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** "Did you mean" for misspelt keys and values: the closest candidate within a small edit distance. */
final class Suggestions {
    /** Two edits catch transposed and doubled letters without proposing unrelated words. */
    private static final int MAX_DISTANCE = 2;

    private Suggestions() {
    }

    /** The candidate closest to {@code given} (ignoring case), if any is within two edits. */
    static Optional<String> closest(String given, Collection<String> candidates) {
        String lower = given.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = MAX_DISTANCE + 1;
        for (String candidate : candidates) {
            int distance = distance(lower, candidate.toLowerCase(Locale.ROOT));
            // A two-letter word is two edits from every other two-letter word: require a closer match.
            if (distance < bestDistance && distance < Math.max(candidate.length(), 2)) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return Optional.ofNullable(best);
    }

    /** {@code "; did you mean 'x'?"} or {@code "; expected one of a, b, c"}. */
    static String hint(String given, Collection<String> candidates) {
        return closest(given, candidates)
                .map(s -> "; did you mean '" + s + "'?")
                .orElseGet(() -> "; expected one of " + String.join(", ", candidates));
    }

    /** Levenshtein distance (insertions, deletions, substitutions). */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
