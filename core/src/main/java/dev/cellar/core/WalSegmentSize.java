package dev.cellar.core;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A cluster's WAL segment size ({@code initdb --wal-segsize}): a power of two from 1 MiB to 1 GiB
 * ({@code IsValidWalSegSize} in xlog_internal.h).
 *
 * <p>Immutable and thread-safe. No method accepts or returns {@code null}.
 *
 * @param bytes the size in bytes
 */
public record WalSegmentSize(int bytes) {

    public static final int MIN_BYTES = 1 << 20;
    public static final int MAX_BYTES = 1 << 30;

    /** 16 MiB, the default since PostgreSQL 11 and the only size most clusters use. */
    public static final WalSegmentSize DEFAULT = new WalSegmentSize(16 << 20);

    private static final long KIB = 1L << 10;
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    // PostgreSQL's memory units are case-sensitive ("kB", "MB", "GB"), and SHOW never puts a space
    // between number and unit.
    private static final Pattern SHOW_FORMAT = Pattern.compile("([0-9]{1,10})(kB|MB|GB)");

    /**
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} unless {@code bytes} is a power of two from 1 MiB to 1 GiB
     */
    public WalSegmentSize {
        if (!isValid(bytes)) {
            throw new CellarException(ErrorCode.INVALID_VALUE,
                    "invalid WAL segment size %d bytes: expected a power of two from 1MB to 1GB".formatted(bytes));
        }
    }

    /** The size of {@code bytes}, validated as in the canonical constructor. */
    public static WalSegmentSize of(int bytes) {
        return new WalSegmentSize(bytes);
    }

    /** Whether {@code bytes} is a valid segment size. */
    public static boolean isValid(long bytes) {
        return bytes >= MIN_BYTES && bytes <= MAX_BYTES && Long.bitCount(bytes) == 1;
    }

    /**
     * Parses the result of {@code SHOW wal_segment_size}: an integer followed by {@code MB} or
     * {@code GB} (such as {@code 16MB} or {@code 1GB}); {@code kB} is accepted too when the product
     * is a valid size.
     *
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} naming the text if it is not a valid size
     * @throws NullPointerException if {@code text} is null
     */
    public static WalSegmentSize parse(String text) {
        Objects.requireNonNull(text, "text");
        Matcher m = SHOW_FORMAT.matcher(text);
        if (!m.matches()) {
            throw new CellarException(ErrorCode.INVALID_VALUE,
                    "invalid WAL segment size \"%s\": expected a number followed by kB, MB or GB, such as 16MB".formatted(text));
        }
        long unit = switch (m.group(2)) {
            case "kB" -> KIB;
            case "MB" -> MIB;
            default -> GIB;
        };
        long number = Long.parseLong(m.group(1));
        // Compare before multiplying so that no product can overflow into a valid-looking size.
        if (number > MAX_BYTES / unit || !isValid(number * unit)) {
            throw new CellarException(ErrorCode.INVALID_VALUE,
                    "invalid WAL segment size \"%s\": expected a power of two from 1MB to 1GB".formatted(text));
        }
        return new WalSegmentSize((int) (number * unit));
    }

    /**
     * How many segments share one value of the middle field of a segment file name
     * ({@code XLogSegmentsPerXLogId}: {@code 0x100000000 / size}); 256 for 16 MiB.
     */
    public long segmentsPerXLogId() {
        return 0x1_0000_0000L / bytes;
    }

    /**
     * How many segments the 64-bit LSN space holds: {@code 2^64 / size}. Segment numbers run from 0
     * to this minus one.
     */
    public long segmentCount() {
        return Long.divideUnsigned(-1L, bytes) + 1;
    }

    /** {@code 16MB}, {@code 1GB}: the form {@code SHOW wal_segment_size} prints. */
    @Override
    public String toString() {
        return bytes % GIB == 0 ? bytes / GIB + "GB" : bytes / MIB + "MB";
    }
}
