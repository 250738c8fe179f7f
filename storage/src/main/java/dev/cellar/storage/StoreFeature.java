package dev.cellar.storage;

/**
 * Optional behaviour a store declares in {@link ObjectStore#features()}, so that callers decide by
 * flag rather than by the store's type. Every store implements all {@link ObjectStore} operations;
 * a feature says how well, or what else it guarantees.
 */
public enum StoreFeature {
    /**
     * Objects are published by an atomic rename of a temporary file in the same directory. A crash
     * mid-write leaves only a hidden temporary file, which the store removes when opened.
     */
    ATOMIC_RENAME,
    /**
     * {@code put} and {@code delete} fsync the file and its directory entries before returning, so
     * a completed call survives a power loss. Stores without it are durable by their service's own
     * guarantee (S3), or not at all (in memory).
     */
    DIRECTORY_SYNC,
    /** A ranged {@code get} reads only the requested bytes rather than skipping from the start. */
    RANGED_READ,
    /**
     * Objects are plain files on this machine's file system ({@code LocalStore#pathOf}), so callers
     * may read them with file APIs (for example to hard-link them into a restore).
     */
    LOCAL_PATHS,
    /** {@code head} and {@code list} report the SHA-256 of the stored bytes. */
    STORED_SHA256
}
