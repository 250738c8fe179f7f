package dev.cellar.storage.repository;

import dev.cellar.core.WalSegmentName;
import dev.cellar.storage.ObjectKey;
import java.util.Objects;

/**
 * A WAL segment as the repository holds it, known from its object name and listing alone.
 *
 * @param storedSize bytes of the stored (compressed) object
 */
public record StoredWal(String cluster, WalObjectName name, ObjectKey key, long storedSize) {
    public StoredWal {
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
