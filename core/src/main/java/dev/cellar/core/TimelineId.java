package dev.cellar.core;

import java.util.Objects;

/**
 * A PostgreSQL timeline ID: an unsigned 32-bit number from 1 to {@code 0xFFFFFFFF} (0 is
 * PostgreSQL's "no timeline" and never names one).
 *
 * <p>Timeline IDs are written in decimal in {@code .history} contents, backup labels, manifests and
 * result sets ({@link #parse(String)}, {@link #toString()}), and as 8 upper-case hex digits in file
 * names ({@link #fromHex(String)}, {@link #toHex()}).
 *
 * <p>Immutable and thread-safe. No method accepts or returns {@code null}.
 *
 * @param value the timeline number, 1 to 4294967295
 */
public record TimelineId(long value) implements Comparable<TimelineId> {

    /** The first timeline: the one {@code initdb} creates. */
    public static final TimelineId INITIAL = new TimelineId(1);

    public static final long MAX_VALUE = 0xFFFF_FFFFL;

    private static final int MAX_DECIMAL_DIGITS = 10;
    private static final int HEX_DIGITS = 8;

    /**
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} if {@code value} is outside 1..4294967295
     */
    public TimelineId {
        if (value < 1 || value > MAX_VALUE) {
            throw new CellarException(ErrorCode.INVALID_VALUE,
                    "invalid timeline ID %d: expected 1 to 4294967295".formatted(value));
        }
    }

    public static TimelineId of(long value) {
        return new TimelineId(value);
    }

    /**
     * Parses a decimal timeline ID such as {@code 3}, as PostgreSQL writes it in history files,
     * backup labels and result sets.
     *
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} naming the text if it is not one
     * @throws NullPointerException if {@code text} is null
     */
    public static TimelineId parse(String text) {
        Objects.requireNonNull(text, "text");
        if (text.isEmpty() || text.length() > MAX_DECIMAL_DIGITS || !isDecimal(text)) {
            throw new CellarException(ErrorCode.INVALID_VALUE,
                    "invalid timeline ID \"%s\": expected a decimal number from 1 to 4294967295".formatted(text));
        }
        long value = Long.parseLong(text);
        if (value < 1 || value > MAX_VALUE) {
            throw new CellarException(ErrorCode.INVALID_VALUE,
                    "invalid timeline ID \"%s\": expected a decimal number from 1 to 4294967295".formatted(text));
        }
        return new TimelineId(value);
    }

    /**
     * Parses the 8 upper-case hex digits that start a WAL or history file name, such as
     * {@code 0000000A}.
     *
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} naming the text if it is not one
     * @throws NullPointerException if {@code text} is null
     */
    public static TimelineId fromHex(String text) {
        Objects.requireNonNull(text, "text");
        if (text.length() != HEX_DIGITS || !HexDigits.isUpperHex(text, 0, HEX_DIGITS)) {
            throw new CellarException(ErrorCode.INVALID_VALUE,
                    "invalid timeline ID \"%s\": expected 8 upper-case hexadecimal digits, such as 00000001".formatted(text));
        }
        long value = Long.parseLong(text, 16);
        if (value == 0) {
            throw new CellarException(ErrorCode.INVALID_VALUE,
                    "invalid timeline ID \"%s\": timeline 0 does not exist".formatted(text));
        }
        return new TimelineId(value);
    }

    private static boolean isDecimal(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** {@code %08X}: the form used in WAL and history file names. */
    public String toHex() {
        return "%08X".formatted(value);
    }

    /**
     * The ID a promotion from this timeline would choose if no higher timeline existed.
     *
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} on timeline 4294967295
     */
    public TimelineId next() {
        if (value == MAX_VALUE) {
            throw new CellarException(ErrorCode.INVALID_VALUE, "timeline 4294967295 is the last one; it has no next");
        }
        return new TimelineId(value + 1);
    }

    public boolean isBefore(TimelineId other) {
        return value < other.value;
    }

    @Override
    public int compareTo(TimelineId other) {
        return Long.compare(value, other.value);
    }

    /** The decimal number, as in history files and backup labels. */
    @Override
    public String toString() {
        return Long.toString(value);
    }
}
