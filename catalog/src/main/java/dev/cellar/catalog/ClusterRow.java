package dev.cellar.catalog;

import dev.cellar.core.WalSegmentSize;
import java.time.Instant;
import java.util.Objects;

/**
 * A PostgreSQL cluster the catalog knows, identified by its configured {@code name} and, as a
 * fact, by its system identifier.
 *
 * <p>Immutable and thread-safe. No component is {@code null}.
 *
 * @param id               the catalog's own key, stable for the life of this catalog file only
 *                         (a rebuilt catalog numbers clusters afresh); refer to clusters by name
 * @param name             the name in Cellar's configuration and repository layout
 * @param systemIdentifier the cluster's system identifier ({@code IDENTIFY_SYSTEM}), an unsigned
 *                         64-bit number: compare with {@link Long#compareUnsigned}, print with
 *                         {@link Long#toUnsignedString(long)}
 * @param pgMajor          the PostgreSQL major version, such as 17
 * @param walSegmentSize   the cluster's WAL segment size
 * @param createdAt        when the cluster was first catalogued, to the microsecond
 */
public record ClusterRow(long id, String name, long systemIdentifier, int pgMajor, WalSegmentSize walSegmentSize,
                         Instant createdAt) {

    public ClusterRow {
        RowChecks.notBlank("cluster name", name);
        Objects.requireNonNull(walSegmentSize, "walSegmentSize");
        createdAt = Columns.truncate(Objects.requireNonNull(createdAt, "createdAt"));
        if (pgMajor < 1) {
            throw RowChecks.invalid("invalid PostgreSQL major version %d of cluster %s".formatted(pgMajor, name));
        }
    }
}
