package dev.cellar.walreceiver.connection;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.walreceiver.protocol.ServerDiagnostic;
import java.util.Objects;

/**
 * The server answered a command with an ErrorResponse. The message names the server and the
 * command and quotes the server's severity, SQLSTATE and text; {@link #diagnostic()} gives callers
 * the fields to decide on (for example SQLSTATE {@code 58P01} when requested WAL is gone).
 *
 * <p>The error code follows the SQLSTATE class: connection-level failures (class 08, 53 "too many
 * connections", 57P "shutdown / cannot connect now") are {@link ErrorCode#CONNECTION_FAILED} and
 * retryable; authorization failures (class 28, 42501) are {@link ErrorCode#AUTHENTICATION_FAILED};
 * anything else is {@link ErrorCode#PROTOCOL_ERROR}: the server refused something Cellar asked for
 * in good faith.
 */
public final class ServerErrorException extends CellarException {
    private static final long serialVersionUID = 1L;

    private final transient ServerDiagnostic diagnostic;

    public ServerErrorException(String message, ServerDiagnostic diagnostic, String hint) {
        super(codeFor(diagnostic), message, hint != null ? hint : diagnostic.hint().orElse(null));
        this.diagnostic = Objects.requireNonNull(diagnostic, "diagnostic");
    }

    /** The server's error fields. */
    public ServerDiagnostic diagnostic() {
        return diagnostic;
    }

    /** The SQLSTATE, such as {@code 42710}. */
    public String sqlState() {
        return diagnostic.sqlState();
    }

    /** Cellar's classification of a server error (see the class comment). */
    public static ErrorCode codeFor(ServerDiagnostic diagnostic) {
        String state = diagnostic.sqlState();
        if (state.startsWith("28") || state.equals("42501")) {
            return ErrorCode.AUTHENTICATION_FAILED;
        }
        if (state.equals("08P01")) {
            return ErrorCode.PROTOCOL_ERROR;
        }
        if (state.startsWith("08") || state.startsWith("53") || state.startsWith("57P")) {
            return ErrorCode.CONNECTION_FAILED;
        }
        return ErrorCode.PROTOCOL_ERROR;
    }
}
