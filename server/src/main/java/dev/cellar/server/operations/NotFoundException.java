package dev.cellar.server.operations;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;

/** A cluster, backup or job that does not exist: the API answers 404 rather than 422. */
public final class NotFoundException extends CellarException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(ErrorCode code, String message, String hint) {
        super(code, message, hint);
    }
}
