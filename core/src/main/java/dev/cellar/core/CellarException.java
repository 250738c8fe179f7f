package dev.cellar.core;

import java.util.Objects;
import java.util.Optional;

/**
 * The one exception type users see. Its message names what failed (cluster, file, key, LSN); its
 * {@link #hint()} says what to do next; its {@link #code()} is stable and becomes the exit status.
 *
 * <p>Subclasses exist only where callers must tell failures apart in code (for example, to decide
 * whether a retry can help); everything else uses this class with a suitable {@link ErrorCode}.
 */
public class CellarException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final String hint;

    public CellarException(ErrorCode code, String message) {
        this(code, message, null, null);
    }

    public CellarException(ErrorCode code, String message, String hint) {
        this(code, message, hint, null);
    }

    public CellarException(ErrorCode code, String message, String hint, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.code = Objects.requireNonNull(code, "code");
        this.hint = hint;
    }

    public ErrorCode code() {
        return code;
    }

    /** What the user can do about it, if anything useful can be said. */
    public Optional<String> hint() {
        return Optional.ofNullable(hint);
    }

    /**
     * Whether trying the same operation again later may succeed (a dropped connection) or cannot
     * (wrong password, a different cluster behind the same address, corrupt data).
     */
    public boolean isRetryable() {
        return switch (code) {
            case CONNECTION_FAILED, STORAGE_FAILED, POSTGRES_SERVER_FAILED -> true;
            default -> false;
        };
    }

    /** The message as the CLI prints it: {@code ERROR: [020]: … } and a {@code HINT:} line. */
    public String describe() {
        String head = "ERROR: [%03d]: %s".formatted(code.number(), getMessage());
        return hint == null ? head : head + System.lineSeparator() + "HINT: " + hint;
    }
}
