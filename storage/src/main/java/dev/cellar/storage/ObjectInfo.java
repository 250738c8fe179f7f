package dev.cellar.storage;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What a store knows about one object without reading it.
 *
 * @param key the object's key
 * @param size the number of stored bytes
 * @param sha256 lower-case hex SHA-256 of the stored bytes, when the store knows it without reading
 *     the object (always after {@link ObjectStore#put}; from {@code head} and {@code list} only if
 *     the store declares {@link StoreFeature#STORED_SHA256})
 * @param lastModified when the object was published
 */
public record ObjectInfo(ObjectKey key, long size, Optional<String> sha256, Instant lastModified) {
    public ObjectInfo {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(lastModified, "lastModified");
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative: " + size);
        }
    }
}
