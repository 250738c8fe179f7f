package dev.cellar.storage.repository;

import dev.cellar.core.WalSegmentName;
import dev.cellar.storage.ObjectKey;
import java.time.Instant;
import java.util.Objects;

/**
 * A WAL segment as the repository holds it, known from its object name and listing alone.
 *
 * @param storedSize   bytes of the stored (compressed) object
 * @param storedAt     when the store last wrote the object (its modification time): the time the
 *                     segment was archived, as both the live catalog and a rebuilt one record it
 */
public record StoredWal(String cluster, WalObjectName name, ObjectKey key, long storedSize, Instant storedAt) {
    public StoredWal {
        Objects.requireNonNull(storedAt, "storedAt");
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(key, "key");
    }

    public WalSegmentName segment() {
        return name.segment();
    }

    public boolean partial() {
        return name.partial();
    }
}
