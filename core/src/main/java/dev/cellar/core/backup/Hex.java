package dev.cellar.core.backup;

import java.util.HexFormat;

/**
 * Hex as backup manifests use it: PostgreSQL writes lower case ({@code hex_encode}) and reads
 * either case ({@code hexdecode_char}). ASCII only: {@link Character#digit(char, int)} would accept
 * non-ASCII digits.
 */
final class Hex {

    private static final HexFormat LOWER = HexFormat.of();

    private Hex() {
    }

    static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    static boolean isHex(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (!isHex(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    static boolean isLowerHex(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    static String lower(byte[] bytes) {
        return LOWER.formatHex(bytes);
    }

    /** Decodes an even-length string of hex digits of either case; the caller checks {@link #isHex(String)} first. */
    static byte[] decode(String text) {
        return LOWER.parseHex(text);
    }
}
