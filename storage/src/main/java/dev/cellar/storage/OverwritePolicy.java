package dev.cellar.storage;

/** What {@link ObjectStore#put} does when an object with the key already exists. */
public enum OverwritePolicy {
    /**
     * Fail with {@link ObjectExistsException} and leave the existing object untouched. Race-free:
     * of concurrent writers of one key, exactly one succeeds.
     */
    FAIL_IF_EXISTS,
    /** Replace the existing object atomically: readers see the old or the new one, never a mix. */
    REPLACE
}
