package dev.cellar.core;

import java.util.Locale;
import java.util.Objects;

/**
 * A PostgreSQL log sequence number: a byte position in the write-ahead log.
 *
 * <p>The 64 bits of {@link #value()} are <em>unsigned</em>: comparison, ordering and arithmetic
 * treat {@code FFFFFFFF/FFFFFFFF} as the largest position, never as a negative number.
 *
 * <p>Text form: {@link #parse(String)} accepts {@code %X/%X} (what servers 15–18 print) and
 * {@code %X/%08X} (what the post-18 tree prints), in either case; {@link #toString()} prints
 * {@code %X/%X} in upper case without padding, byte for byte what servers 15–18 print.
 *
 * <p>Immutable and thread-safe. No method accepts or returns {@code null}.
 *
 * @param value the position, read as an unsigned 64-bit number
 */
public record Lsn(long value) implements Comparable<Lsn> {

    /** {@code 0/0}: PostgreSQL's {@code InvalidXLogRecPtr}, "no position". */
    public static final Lsn INVALID = new Lsn(0);

    /** {@code 0/0} as a position (the start of the log), the same value as {@link #INVALID}. */
    public static final Lsn ZERO = INVALID;

    private static final int MAX_HALF_DIGITS = 8;

    /** The LSN at {@code value}, read as unsigned. */
    public static Lsn of(long value) {
        return new Lsn(value);
    }

    /**
     * Parses {@code hi/lo}, each half 1 to 8 hexadecimal digits of either case.
     *
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} naming the text if it is not an LSN
     * @throws NullPointerException if {@code text} is null
     */
    public static Lsn parse(String text) {
        Objects.requireNonNull(text, "text");
        int slash = text.indexOf('/');
        if (slash < 0 || !isHexHalf(text, 0, slash) || !isHexHalf(text, slash + 1, text.length())) {
            throw new CellarException(ErrorCode.INVALID_VALUE,
                    "invalid LSN \"%s\": expected two hexadecimal numbers of 1 to 8 digits separated by '/', such as 16/B374D848"
                            .formatted(text));
        }
        long hi = Long.parseLong(text, 0, slash, 16);
        long lo = Long.parseLong(text, slash + 1, text.length(), 16);
        return new Lsn(hi << 32 | lo);
    }

    // Character.digit would accept non-ASCII digits (fullwidth forms); LSNs are ASCII only.
    private static boolean isHexHalf(String text, int from, int to) {
        int length = to - from;
        if (length < 1 || length > MAX_HALF_DIGITS) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (!HexDigits.isHex(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Whether this is {@code 0/0}, PostgreSQL's "no position". */
    public boolean isInvalid() {
        return value == 0;
    }

    /**
     * The position {@code bytes} further on.
     *
     * @throws IllegalArgumentException if {@code bytes} is negative
     * @throws ArithmeticException if the result would pass {@code FFFFFFFF/FFFFFFFF}
     */
    public Lsn plus(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("cannot add a negative byte count to LSN " + this + ": " + bytes);
        }
        long result = value + bytes;
        if (Long.compareUnsigned(result, value) < 0) {
            throw new ArithmeticException("LSN " + this + " + " + bytes + " bytes passes FFFFFFFF/FFFFFFFF");
        }
        return new Lsn(result);
    }

    /**
     * The number of bytes from {@code earlier} to this position.
     *
     * @throws IllegalArgumentException if {@code earlier} is after this position
     * @throws ArithmeticException if the distance does not fit a signed {@code long} (more than 8 EiB)
     */
    public long minus(Lsn earlier) {
        if (isBefore(earlier)) {
            throw new IllegalArgumentException("LSN " + earlier + " is after " + this + ": the distance would be negative");
        }
        long distance = value - earlier.value;
        if (distance < 0) {
            throw new ArithmeticException("the distance from " + earlier + " to " + this + " does not fit a signed 64-bit number");
        }
        return distance;
    }

    public boolean isBefore(Lsn other) {
        return compareTo(other) < 0;
    }

    public boolean isAfter(Lsn other) {
        return compareTo(other) > 0;
    }

    /** The later of two positions. */
    public static Lsn max(Lsn a, Lsn b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** The earlier of two positions. */
    public static Lsn min(Lsn a, Lsn b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /**
     * The number of the segment this byte lies in ({@code XLByteToSeg}).
     *
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} if {@code segmentSize} is not a valid WAL segment size
     */
    public long segmentNumber(int segmentSize) {
        return segmentNumber(WalSegmentSize.of(segmentSize));
    }

    /** The number of the segment this byte lies in ({@code XLByteToSeg}). */
    public long segmentNumber(WalSegmentSize segmentSize) {
        return Long.divideUnsigned(value, segmentSize.bytes());
    }

    /**
     * The offset of this byte inside its segment ({@code XLogSegmentOffset}).
     *
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} if {@code segmentSize} is not a valid WAL segment size
     */
    public int segmentOffset(int segmentSize) {
        return segmentOffset(WalSegmentSize.of(segmentSize));
    }

    /** The offset of this byte inside its segment ({@code XLogSegmentOffset}). */
    public int segmentOffset(WalSegmentSize segmentSize) {
        return (int) (value & (segmentSize.bytes() - 1L));
    }

    /**
     * The first byte of the segment this byte lies in.
     *
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} if {@code segmentSize} is not a valid WAL segment size
     */
    public Lsn segmentStart(int segmentSize) {
        return segmentStart(WalSegmentSize.of(segmentSize));
    }

    /** The first byte of the segment this byte lies in. */
    public Lsn segmentStart(WalSegmentSize segmentSize) {
        return new Lsn(value & -(long) segmentSize.bytes());
    }

    @Override
    public int compareTo(Lsn other) {
        return Long.compareUnsigned(value, other.value);
    }

    /** {@code %X/%X}, upper case, no padding: what PostgreSQL 15–18 print. */
    @Override
    public String toString() {
        return Long.toHexString(value >>> 32).toUpperCase(Locale.ROOT)
                + '/' + Long.toHexString(value & 0xFFFF_FFFFL).toUpperCase(Locale.ROOT);
    }
}
