package dev.cellar.storage;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects the failures of a batch operation so that every item is attempted, then reports them as
 * one {@code STORAGE_FAILED} error naming the first few keys (the first failure is the cause, the
 * others are suppressed). For store implementations; not thread-safe.
 */
public final class BatchFailures {
    private static final int NAMED = 3;

    private final String verb;
    private final String store;
    private final List<ObjectKey> keys = new ArrayList<>();
    private final List<RuntimeException> errors = new ArrayList<>();

    /** @param verb what was done to each item, e.g. {@code delete} */
    public BatchFailures(String verb, String store) {
        this.verb = verb;
        this.store = store;
    }

    public void add(ObjectKey key, RuntimeException error) {
        keys.add(key);
        errors.add(error);
    }

    /** @throws CellarException ({@code STORAGE_FAILED}) when any item failed */
    public void throwIfAny() {
        if (errors.isEmpty()) {
            return;
        }
        StringBuilder message = new StringBuilder("cannot " + verb + " " + errors.size()
                + (errors.size() == 1 ? " object" : " objects") + " in " + store + ": ");
        for (int i = 0; i < Math.min(NAMED, errors.size()); i++) {
            message.append(i == 0 ? "" : "; ").append(keys.get(i)).append(" (").append(errors.get(i).getMessage()).append(')');
        }
        if (errors.size() > NAMED) {
            message.append("; and ").append(errors.size() - NAMED).append(" more");
        }
        CellarException failure = new CellarException(ErrorCode.STORAGE_FAILED, message.toString(), null, errors.get(0));
        errors.stream().skip(1).forEach(failure::addSuppressed);
        throw failure;
    }
}
