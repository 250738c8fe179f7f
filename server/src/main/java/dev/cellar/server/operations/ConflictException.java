package dev.cellar.server.operations;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;

/**
 * A request that contradicts the current state (a backup already running, deleting a backup that
 * others build on or that is kept): the API answers 409, and retrying later may succeed.
 */
public final class ConflictException extends CellarException {
    private static final long serialVersionUID = 1L;

    public ConflictException(ErrorCode code, String message, String hint) {
        super(code, message, hint);
    }
}
