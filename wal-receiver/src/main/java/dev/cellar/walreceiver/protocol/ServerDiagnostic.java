package dev.cellar.walreceiver.protocol;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The fields of an ErrorResponse or NoticeResponse ([proto] "Error and Notice Message Fields"):
 * each is identified by one ASCII letter. The server always sends severity ({@code S}), SQLSTATE
 * ({@code C}) and message ({@code M}); the rest are optional. Unknown field letters are kept, as
 * the protocol asks clients to ignore (not reject) them.
 *
 * <p>Immutable and thread-safe. Accessors of optional fields return {@code null} when the server
 * did not send the field.
 *
 * @param fields field letter → value, in the order received
 */
public record ServerDiagnostic(Map<Character, String> fields) {
    /** Field letters defined by the protocol. */
    public static final char SEVERITY = 'S';
    public static final char SEVERITY_NON_LOCALIZED = 'V';
    public static final char SQLSTATE = 'C';
    public static final char MESSAGE = 'M';
    public static final char DETAIL = 'D';
    public static final char HINT = 'H';

    public ServerDiagnostic {
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(fields, "fields")));
    }

    /**
     * The severity in English ({@code ERROR}, {@code FATAL}, {@code PANIC}, {@code WARNING},
     * {@code NOTICE}, …): the non-localized field when present (9.6+), else the localized one.
     */
    public String severity() {
        String plain = fields.get(SEVERITY_NON_LOCALIZED);
        return plain != null ? plain : fields.getOrDefault(SEVERITY, "");
    }

    /** The five-character SQLSTATE, such as {@code 28P01}; empty if the server sent none. */
    public String sqlState() {
        return fields.getOrDefault(SQLSTATE, "");
    }

    /** The primary message; empty if the server sent none. */
    public String message() {
        return fields.getOrDefault(MESSAGE, "");
    }

    public Optional<String> detail() {
        return Optional.ofNullable(fields.get(DETAIL));
    }

    public Optional<String> hint() {
        return Optional.ofNullable(fields.get(HINT));
    }

    /** Whether the server ends the session after this message ({@code FATAL} or {@code PANIC}). */
    public boolean isFatal() {
        String severity = severity();
        return severity.equals("FATAL") || severity.equals("PANIC");
    }

    /** {@code FATAL 28P01: password authentication failed for user "x"} plus detail when present. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder().append(severity()).append(' ').append(sqlState()).append(": ")
                .append(message());
        detail().ifPresent(d -> sb.append(" (").append(d).append(')'));
        return sb.toString();
    }
}
