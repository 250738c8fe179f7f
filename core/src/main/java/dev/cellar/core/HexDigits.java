package dev.cellar.core;

/**
 * ASCII hexadecimal checks shared by the parsers. {@link Character#digit(char, int)} is not used
 * because it accepts non-ASCII digits (for example fullwidth forms), which PostgreSQL never writes.
 */
final class HexDigits {
    private HexDigits() {
    }

    /** {@code 0-9}, {@code A-F} or {@code a-f}. */
    static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
    }

    /**
     * Whether {@code text[from, to)} is only {@code 0-9A-F}: the alphabet of WAL file names
     * ({@code IsXLogFileName} in xlog_internal.h accepts upper case only).
     */
    static boolean isUpperHex(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) {
                return false;
            }
        }
        return true;
    }
}
