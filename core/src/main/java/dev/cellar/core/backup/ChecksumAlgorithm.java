package dev.cellar.core.backup;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.util.Locale;
import java.util.Objects;

/**
 * The file checksum algorithms of a backup manifest ({@code pg_checksum_type} in
 * checksum_helper.h), named as PostgreSQL writes them in {@code "Checksum-Algorithm"}.
 *
 * <p>{@link #NONE} means "no checksum": the server then writes neither {@code Checksum-Algorithm}
 * nor {@code Checksum} for the file.
 */
public enum ChecksumAlgorithm {
    NONE(0),
    /** CRC-32C (Castagnoli), printed as the native-endian memory image: see {@link FileChecksum}. */
    CRC32C(4),
    SHA224(28),
    SHA256(32),
    SHA384(48),
    SHA512(64);

    private final int digestBytes;

    ChecksumAlgorithm(int digestBytes) {
        this.digestBytes = digestBytes;
    }

    /** The length of a digest in bytes ({@code pg_checksum_final}'s result); 0 for {@link #NONE}. */
    public int digestBytes() {
        return digestBytes;
    }

    /** The length of a digest in lower-case hex digits, as the manifest stores it; 0 for {@link #NONE}. */
    public int hexLength() {
        return 2 * digestBytes;
    }

    /** The name PostgreSQL writes ({@code pg_checksum_type_name}): {@code NONE}, {@code CRC32C}, {@code SHA256}… */
    public String pgName() {
        return name();
    }

    /**
     * Parses an algorithm name case-insensitively, as {@code pg_checksum_parse_type} does.
     *
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} naming the text if it is no algorithm
     */
    public static ChecksumAlgorithm parse(String name) {
        Objects.requireNonNull(name, "name");
        for (ChecksumAlgorithm algorithm : values()) {
            if (algorithm.name().equals(name.toUpperCase(Locale.ROOT))) {
                return algorithm;
            }
        }
        throw new CellarException(ErrorCode.INVALID_VALUE,
                "unknown checksum algorithm \"%s\": expected NONE, CRC32C, SHA224, SHA256, SHA384 or SHA512"
                        .formatted(name));
    }
}
