package dev.cellar.core.backup;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * A file checksum being computed over bytes fed in order, printed as a backup manifest's
 * {@code "Checksum"} value ({@code pg_checksum_update}, {@code pg_checksum_final} and
 * {@code hex_encode} in PostgreSQL).
 *
 * <p>CRC-32C: PostgreSQL {@code memcpy}s the finished {@code uint32} into the output, so the manifest
 * holds the server's <em>native-endian memory image</em> of the CRC. Cellar supports little-endian
 * servers only (x86-64, ARM64), where CRC32C of {@code "123456789"}, {@code 0xe3069283}, is printed
 * {@code 839206e3}. SHA-2 digests are printed in their natural byte order.
 *
 * <p>Not thread-safe. Create one with {@link ManifestChecksums#start(ChecksumAlgorithm)}.
 */
public final class FileChecksum {

    private final ChecksumAlgorithm algorithm;
    private final CRC32C crc;
    private final MessageDigest digest;
    private String hex;

    FileChecksum(ChecksumAlgorithm algorithm) {
        this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
        this.crc = algorithm == ChecksumAlgorithm.CRC32C ? new CRC32C() : null;
        this.digest = switch (algorithm) {
            case SHA224 -> sha("SHA-224");
            case SHA256 -> sha("SHA-256");
            case SHA384 -> sha("SHA-384");
            case SHA512 -> sha("SHA-512");
            case NONE, CRC32C -> null;
        };
    }

    private static MessageDigest sha(String name) {
        try {
            return MessageDigest.getInstance(name);
        } catch (NoSuchAlgorithmException e) {
            // Every Java SE platform must provide SHA-224/256/384/512.
            throw new IllegalStateException("the JDK lacks " + name, e);
        }
    }

    public ChecksumAlgorithm algorithm() {
        return algorithm;
    }

    /**
     * Feeds {@code length} bytes of {@code bytes} from {@code offset}.
     *
     * @throws IllegalStateException if {@link #hex()} was already called
     * @throws IndexOutOfBoundsException if the range is outside {@code bytes}
     */
    public FileChecksum update(byte[] bytes, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        requireOpen();
        if (crc != null) {
            crc.update(bytes, offset, length);
        } else if (digest != null) {
            digest.update(bytes, offset, length);
        }
        return this;
    }

    /** Feeds all of {@code bytes}. */
    public FileChecksum update(byte[] bytes) {
        return update(bytes, 0, bytes.length);
    }

    /** Feeds the remaining bytes of {@code buffer}, leaving its position at its limit. */
    public FileChecksum update(ByteBuffer buffer) {
        requireOpen();
        if (crc != null) {
            crc.update(buffer);
        } else if (digest != null) {
            digest.update(buffer);
        } else {
            buffer.position(buffer.limit());
        }
        return this;
    }

    /**
     * Finishes the checksum and returns it as the manifest prints it: lower-case hex of
     * {@link ChecksumAlgorithm#hexLength()} digits, or {@code ""} for {@link ChecksumAlgorithm#NONE}.
     * Later calls return the same value; {@code update} is no longer allowed.
     */
    public String hex() {
        if (hex == null) {
            if (crc != null) {
                // pg_checksum_final memcpy's the uint32: on a little-endian server the low byte comes first.
                hex = "%08x".formatted(Integer.reverseBytes((int) crc.getValue()));
            } else if (digest != null) {
                hex = HexFormat.of().formatHex(digest.digest());
            } else {
                hex = "";
            }
        }
        return hex;
    }

    private void requireOpen() {
        if (hex != null) {
            throw new IllegalStateException("the " + algorithm + " checksum is already finished");
        }
    }
}
