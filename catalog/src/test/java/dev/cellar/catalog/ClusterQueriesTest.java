package dev.cellar.catalog;

import static dev.cellar.catalog.CatalogFixtures.CLUSTER;
import static dev.cellar.catalog.CatalogFixtures.SEGMENT_SIZE;
import static dev.cellar.catalog.CatalogFixtures.SYSTEM_IDENTIFIER;
import static dev.cellar.catalog.CatalogFixtures.T0;
import static dev.cellar.catalog.CatalogFixtures.lsn;
import static dev.cellar.catalog.CatalogFixtures.registerCluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.WalSegmentSize;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterQueriesTest extends CatalogTestBase {

    @Test
    void registeringTwiceReturnsTheFirstRegistration() {
        ClusterRow first = registerCluster(catalog);

        ClusterRow again = catalog.clusters().register(CLUSTER, SYSTEM_IDENTIFIER, 17, SEGMENT_SIZE,
                T0.plusSeconds(3600));

        assertThat(again).isEqualTo(first);
        assertThat(first.createdAt()).isEqualTo(T0);
        assertThat(catalog.clusters().list()).containsExactly(first);
    }

    @Test
    void systemIdentifiersUseAllSixtyFourBits() {
        long aboveSignedRange = Long.parseUnsignedLong("18446744073709551000");

        ClusterRow row = catalog.clusters().register("big", aboveSignedRange, 16, SEGMENT_SIZE, T0);

        assertThat(catalog.clusters().get("big").systemIdentifier()).isEqualTo(aboveSignedRange);
        assertThat(Long.toUnsignedString(row.systemIdentifier())).isEqualTo("18446744073709551000");
    }

    @Test
    void anotherSystemIdentifierUnderAKnownNameIsAMismatch() {
        registerCluster(catalog);

        assertThatThrownBy(() -> catalog.clusters().register(CLUSTER, 42, 17, SEGMENT_SIZE, T0))
                .isInstanceOfSatisfying(CellarException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.SYSTEM_IDENTIFIER_MISMATCH);
                    assertThat(e.hint()).contains("the configuration of cluster \"c1\" points at a different "
                            + "PostgreSQL cluster; fix its conninfo, or give the new cluster a new name");
                })
                .hasMessage("catalog %s: cluster \"c1\" is catalogued with system identifier 7441234567890123456, "
                        + "but the server has 42", catalog.file());
    }

    @Test
    void anotherMajorVersionUnderAKnownNameIsRefused() {
        registerCluster(catalog);

        assertThatThrownBy(() -> catalog.clusters().register(CLUSTER, SYSTEM_IDENTIFIER, 18, SEGMENT_SIZE, T0))
                .isInstanceOfSatisfying(CellarException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.CATALOG_FAILED))
                .hasMessage("catalog %s: cluster \"c1\" is catalogued as PostgreSQL 17 with 16MB WAL segments, "
                        + "but the server is PostgreSQL 18 with 16MB", catalog.file());
    }

    @Test
    void unknownNameIsAnErrorForGetAndEmptyForFind() {
        assertThat(catalog.clusters().find("nope")).isEmpty();
        assertThatThrownBy(() -> catalog.clusters().get("nope"))
                .isInstanceOfSatisfying(CellarException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CATALOG_FAILED);
                    assertThat(e.hint()).isPresent();
                })
                .hasMessage("catalog %s: no cluster named \"nope\"", catalog.file());
    }

    @Test
    void timesAreKeptToTheMicrosecond() {
        Instant withNanos = Instant.parse("2026-11-21T06:43:00.123456789Z");

        ClusterRow row = catalog.clusters().register("c2", 1, 17, SEGMENT_SIZE, withNanos);

        assertThat(row.createdAt()).isEqualTo(Instant.parse("2026-11-21T06:43:00.123456Z"));
    }

    @Test
    void timesBeforeTheEpochRoundTrip() {
        Instant before = Instant.parse("1969-12-31T23:59:59.999999Z");

        assertThat(catalog.clusters().register("old", 1, 17, SEGMENT_SIZE, before).createdAt()).isEqualTo(before);
    }

    @Test
    void sizesSumWalAndBackupsPerCluster() {
        registerCluster(catalog);
        catalog.clusters().register("empty", 5, 16, WalSegmentSize.of(1 << 20), T0);
        catalog.wal().record(CatalogFixtures.wal(1, 2));
        catalog.wal().record(CatalogFixtures.wal(1, 3));
        catalog.wal().record(CatalogFixtures.partialWal(1, 4, lsn("0/4800000")));
        catalog.backups().save(CatalogFixtures.fullBackup("b1", 1, lsn("0/2000028"), lsn("0/3000100"), T0), List.of(),
                List.of());
        catalog.backups().save(CatalogFixtures.runningBackup("b2", lsn("0/4000028"), T0), List.of(), List.of());

        ClusterSizes sizes = catalog.clusters().sizes(CLUSTER);

        long segment = SEGMENT_SIZE.bytes();
        assertThat(sizes).isEqualTo(new ClusterSizes(CLUSTER, 3, 3 * segment, 1002 + 1003 + 500, 2, 1_000_000, 300_000));
        assertThat(catalog.clusters().sizes()).containsExactly(new ClusterSizes(CLUSTER, 3, 3 * segment,
                1002 + 1003 + 500, 2, 1_000_000, 300_000), new ClusterSizes("empty", 0, 0, 0, 0, 0, 0));
    }
}
