package dev.cellar.restore.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class TargetTimeTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "2026-11-20 10:00:00+00|2026-11-20T10:00:00Z",
        "2026-11-20 10:00:00+00:00|2026-11-20T10:00:00Z",
        "2026-11-20T10:00:00Z|2026-11-20T10:00:00Z",
        "2026-11-20 10:00:00.123456+01|2026-11-20T09:00:00.123456Z",
        "2026-11-20 10:00:00 +05:30|2026-11-20T04:30:00Z",
        "2026-11-20 10:00-0200|2026-11-20T12:00:00Z",
    })
    void timesWithAnOffsetMeanExactlyThat(String text, String expected) {
        TargetTime time = TargetTime.parse(text, BERLIN);
        assertThat(time.instant()).isEqualTo(Instant.parse(expected));
        assertThat(time.assumedZone()).isEmpty();
    }

    @Test
    void aBareTimeIsReadInTheLocalZoneAndSaysSo() {
        TargetTime time = TargetTime.parse("2026-11-20 10:00:00", BERLIN);
        assertThat(time.instant()).isEqualTo(Instant.parse("2026-11-20T09:00:00Z"));
        assertThat(time.assumedZone()).contains(BERLIN);
        assertThat(time.explanation()).isEqualTo("\"2026-11-20 10:00:00\" has no offset: read in Europe/Berlin, the"
                + " time zone of this machine, as 2026-11-20 09:00:00.000000+00:00");
        // Summer time: the same wall-clock reading is another offset.
        assertThat(TargetTime.parse("2026-07-01 10:00", BERLIN).instant()).isEqualTo(Instant.parse("2026-07-01T08:00:00Z"));
    }

    @Test
    void anythingElseIsRefusedNamingTheForms() {
        assertThatThrownBy(() -> TargetTime.parse("yesterday", BERLIN))
                .hasMessageContaining("cannot read \"yesterday\" as a time: use YYYY-MM-DD HH:MM[:SS[.ffffff]]");
        assertThatThrownBy(() -> TargetTime.parse("2026-13-01 10:00", BERLIN)).hasMessageContaining("cannot read");
    }
}
