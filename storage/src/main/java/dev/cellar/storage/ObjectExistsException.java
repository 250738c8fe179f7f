package dev.cellar.storage;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;

/**
 * A {@link OverwritePolicy#FAIL_IF_EXISTS} put found the key taken; the existing object is
 * untouched. Callers that write immutable objects (WAL segments) catch it to compare checksums.
 * Not retryable: the same put fails the same way.
 */
public final class ObjectExistsException extends CellarException {
    private static final long serialVersionUID = 1L;

    private final transient ObjectKey key;

    public ObjectExistsException(ObjectKey key, String store) {
        super(ErrorCode.STORAGE_FAILED, "object " + key + " already exists in " + store + "; it was not replaced");
        this.key = key;
    }

    public ObjectKey key() {
        return key;
    }

    @Override
    public boolean isRetryable() {
        return false;
    }
}
