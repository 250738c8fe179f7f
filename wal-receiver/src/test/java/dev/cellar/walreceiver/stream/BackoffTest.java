package dev.cellar.walreceiver.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void doublesFromTheInitialDelayWithJitterInTheUpperHalfUpToTheCap() {
        Random random = new Random(1);
        for (int attempt = 0; attempt < 12; attempt++) {
            long nominal = Math.min(1000L << attempt, 60_000);
            for (int i = 0; i < 100; i++) {
                Duration d = Backoff.DEFAULT.delay(attempt, false, random);
                assertThat(d.toMillis()).as("attempt %d", attempt).isBetween(nominal / 2, nominal);
            }
        }
    }

    @Test
    void failuresThatNeedAPersonAreRetriedRarely() {
        Random random = new Random(2);
        assertThat(Backoff.DEFAULT.delay(30, true, random)).isBetween(Duration.ofSeconds(150), Duration.ofMinutes(5));
        assertThat(Backoff.DEFAULT.delay(30, false, random)).isBetween(Duration.ofSeconds(30), Duration.ofSeconds(60));
    }
}
