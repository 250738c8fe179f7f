package dev.cellar.storage;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;

/**
 * An object that was asked for by key does not exist. Code {@code OBJECT_CORRUPT}: callers ask for
 * objects the repository recorded, so a missing one means the repository lost data; the repository
 * layer may translate it into a more specific message.
 */
public final class ObjectNotFoundException extends CellarException {
    private static final long serialVersionUID = 1L;

    private final transient ObjectKey key;
    private final String store;

    public ObjectNotFoundException(ObjectKey key, String store) {
        super(ErrorCode.OBJECT_CORRUPT, "object " + key + " does not exist in " + store,
                "the repository refers to an object that is gone; restore it from another copy of the"
                        + " repository, or run a verification to find what else is missing");
        this.key = key;
        this.store = store;
    }

    public ObjectKey key() {
        return key;
    }

    /** The store's {@link ObjectStore#describe()} text. */
    public String store() {
        return store;
    }
}
