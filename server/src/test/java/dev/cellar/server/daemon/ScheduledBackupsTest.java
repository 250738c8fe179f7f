package dev.cellar.server.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.CellarException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ScheduledBackupsTest {
    /** Quartz reads cron in the JVM's zone: build the instants in it. */
    static Instant local(String dateTime) {
        return ZonedDateTime.of(java.time.LocalDateTime.parse(dateTime), ZoneId.systemDefault()).toInstant();
    }

    @Test
    void theLastFiringSinceTheNewestBackupIsTheMissedOne() {
        Optional<String> daily = Optional.of("0 0 3 * * ?");
        // Backed up yesterday at 02:00; down until today 04:00: yesterday's and today's 03:00 were missed.
        assertThat(ScheduledBackups.lastFire(daily, Optional.of(local("2026-11-20T02:00:00")),
                local("2026-11-21T04:00:00"))).contains(local("2026-11-21T03:00:00"));
        // Backed up after today's firing: nothing missed.
        assertThat(ScheduledBackups.lastFire(daily, Optional.of(local("2026-11-21T03:00:05")),
                local("2026-11-21T04:00:00"))).isEmpty();
        // A firing exactly now counts as due.
        assertThat(ScheduledBackups.lastFire(daily, Optional.of(local("2026-11-21T02:59:00")),
                local("2026-11-21T03:00:00"))).contains(local("2026-11-21T03:00:00"));
    }

    @Test
    void noScheduleOrNoBackupYetGivesNoFiringAndABadCronIsNamed() {
        assertThat(ScheduledBackups.lastFire(Optional.empty(), Optional.of(Instant.EPOCH), Instant.now())).isEmpty();
        assertThat(ScheduledBackups.lastFire(Optional.of("0 0 3 * * ?"), Optional.empty(), Instant.now())).isEmpty();
        assertThatThrownBy(() -> ScheduledBackups.lastFire(Optional.of("every day"), Optional.of(Instant.EPOCH),
                Instant.now())).isInstanceOf(CellarException.class).hasMessageContaining("invalid schedule \"every day\"");
    }
}
