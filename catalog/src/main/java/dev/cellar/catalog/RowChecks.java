package dev.cellar.catalog;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.util.Objects;
import java.util.Optional;

/**
 * Argument checks shared by the row records, so that a row that reaches SQL is already valid and
 * the schema's CHECK constraints are a second line, not the first. Stateless.
 */
final class RowChecks {
    private static final int SHA256_HEX_LENGTH = 64;
    private static final long MAX_OID = 0xFFFF_FFFFL;

    private RowChecks() {
    }

    /** {@code value}, which must be a lower-case hexadecimal SHA-256. */
    static String sha256(String what, String value) {
        Objects.requireNonNull(value, what);
        if (value.length() != SHA256_HEX_LENGTH || !value.chars().allMatch(RowChecks::isLowerHex)) {
            throw invalid("invalid %s \"%s\": expected 64 lower-case hexadecimal digits".formatted(what, value));
        }
        return value;
    }

    static Optional<String> sha256(String what, Optional<String> value) {
        Objects.requireNonNull(value, what);
        value.ifPresent(v -> sha256(what, v));
        return value;
    }

    /** {@code value}, which must not be empty or only white space. */
    static String notBlank(String what, String value) {
        Objects.requireNonNull(value, what);
        if (value.isBlank()) {
            throw invalid("invalid %s: it must not be empty".formatted(what));
        }
        return value;
    }

    static long notNegative(String what, long value) {
        if (value < 0) {
            throw invalid("invalid %s %d: it must not be negative".formatted(what, value));
        }
        return value;
    }

    /** A PostgreSQL object ID: unsigned 32-bit and never 0 ({@code InvalidOid}). */
    static long oid(String what, long value) {
        if (value < 1 || value > MAX_OID) {
            throw invalid("invalid %s OID %d: expected 1 to 4294967295".formatted(what, value));
        }
        return value;
    }

    static CellarException invalid(String message) {
        return new CellarException(ErrorCode.INVALID_VALUE, message);
    }

    private static boolean isLowerHex(int c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f';
    }
}
