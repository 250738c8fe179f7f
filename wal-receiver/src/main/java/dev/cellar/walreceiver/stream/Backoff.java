package dev.cellar.walreceiver.stream;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with jitter between reconnection attempts: {@code initial × 2^attempt},
 * capped, then a random point in its upper half, so that many streams that failed together (a
 * network outage) do not reconnect together.
 *
 * @param initial      the first delay
 * @param max          the cap for failures that may go away by themselves (connection lost)
 * @param maxPermanent the cap for failures that need a person (wrong password, another cluster
 *                     behind the address): retried rarely, so fixing them needs no restart
 */
public record Backoff(Duration initial, Duration max, Duration maxPermanent) {
    public static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60),
            Duration.ofMinutes(5));

    /** The delay before attempt {@code attempt} (0 for the first retry). */
    public Duration delay(int attempt, boolean permanent, RandomGenerator random) {
        Duration cap = permanent ? maxPermanent : max;
        long base = initial.toMillis() << Math.min(attempt, 20);
        long capped = Math.min(Math.max(base, initial.toMillis()), cap.toMillis());
        long jittered = capped / 2 + (capped > 1 ? random.nextLong(capped - capped / 2 + 1) : 0);
        return Duration.ofMillis(Math.max(1, jittered));
    }
}
