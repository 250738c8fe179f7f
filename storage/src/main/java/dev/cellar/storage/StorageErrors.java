package dev.cellar.storage;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.storage.io.ContentMismatchException;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The {@code STORAGE_FAILED} errors of store implementations, worded alike for every store. */
public final class StorageErrors {
    private StorageErrors() {
    }

    /**
     * A failed put. A {@code CellarException} the caller's stream threw is returned unchanged: it
     * already says what went wrong upstream (a corrupt source object, say).
     */
    public static CellarException writeFailed(ObjectKey key, String store, Throwable cause) {
        Throwable root = cause instanceof UncheckedIOException unchecked ? unchecked.getCause() : cause;
        if (root instanceof CellarException cellar) {
            return cellar;
        }
        String reason = root instanceof ContentMismatchException ? root.getMessage() : describe(root);
        return new CellarException(ErrorCode.STORAGE_FAILED,
                "cannot write object " + key + " to " + store + ": " + reason + "; nothing was stored",
                hintFor(root), root);
    }

    /** A failed read, delete, head or listing; {@code what} names the object or prefix. */
    public static CellarException failed(String verb, String what, String store, IOException cause) {
        return new CellarException(ErrorCode.STORAGE_FAILED,
                "cannot " + verb + " " + what + " in " + store + ": " + describe(cause), hintFor(cause), cause);
    }

    /** The exception's type and message, as Java's file exceptions often carry just a path. */
    public static String describe(Throwable cause) {
        String message = cause.getMessage();
        String type = cause.getClass().getSimpleName();
        return message == null ? type : type + ": " + message;
    }

    private static String hintFor(Throwable cause) {
        String message = String.valueOf(cause.getMessage());
        if (cause instanceof java.nio.file.AccessDeniedException) {
            return "check that the user running Cellar owns the repository directory and can write to it";
        }
        if (message.contains("No space left on device")) {
            return "the file system is full; free space or move the repository to a larger disk";
        }
        return null;
    }
}
