package dev.cellar.core;

import java.util.List;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/**
 * {@code XLOG_PAGE_MAGIC} of each supported PostgreSQL major version: the first two bytes of every
 * WAL page, changed whenever the WAL format changes (xlog_internal.h).
 *
 * <p>15 = {@code 0xD110}, 16 = {@code 0xD113}, 17 = {@code 0xD116}, 18 = {@code 0xD118}, each read
 * from a real server's WAL (15.18, 16.15, 17.11, 18.6). A new major means a new line here. The
 * post-18 development tree uses {@code 0xD120}, with different page flags: it is not supported.
 *
 * <p>Stateless and thread-safe.
 */
public final class WalPageMagic {

    private record Version(int major, int magic) {
    }

    private static final List<Version> VERSIONS = List.of(
            new Version(15, 0xD110),
            new Version(16, 0xD113),
            new Version(17, 0xD116),
            new Version(18, 0xD118));

    private WalPageMagic() {
    }

    /** The major version whose WAL pages start with {@code magic}, or empty for an unknown magic. */
    public static OptionalInt majorForMagic(int magic) {
        for (Version v : VERSIONS) {
            if (v.magic() == magic) {
                return OptionalInt.of(v.major());
            }
        }
        return OptionalInt.empty();
    }

    /**
     * The page magic of PostgreSQL {@code major}.
     *
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} if {@code major} is not supported
     */
    public static int magicForMajor(int major) {
        for (Version v : VERSIONS) {
            if (v.major() == major) {
                return v.magic();
            }
        }
        throw new CellarException(ErrorCode.INVALID_VALUE,
                "PostgreSQL %d is not supported: its WAL page magic is unknown (supported: %s)"
                        .formatted(major, supportedMajors().stream().map(String::valueOf).collect(Collectors.joining(", "))));
    }

    /** The supported major versions, ascending. */
    public static List<Integer> supportedMajors() {
        return VERSIONS.stream().map(Version::major).toList();
    }

    /** {@code 0xD116 (PostgreSQL 17)}, or {@code 0x1234 (unknown)}: for messages. */
    static String describe(int magic) {
        OptionalInt major = majorForMagic(magic);
        return "0x%04X (%s)".formatted(magic, major.isPresent() ? "PostgreSQL " + major.getAsInt() : "unknown");
    }

    /** {@code 15: 0xD110, 16: 0xD113, …}: for messages. */
    static String describeAll() {
        return VERSIONS.stream().map(v -> "%d: 0x%04X".formatted(v.major(), v.magic())).collect(Collectors.joining(", "));
    }
}
