package dev.cellar.storage.repository;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.TimelineId;
import dev.cellar.core.WalSegmentName;
import dev.cellar.core.WalSegmentSize;
import dev.cellar.storage.codec.Codec;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The name of a stored WAL segment: {@code <segment>[.partial]-<sha256>[.zst]}, where the SHA-256
 * is of the segment's logical (uncompressed) bytes. As in pgBackRest's archive, the content
 * checksum in the name makes every segment self-verifying without a catalog, and tells a harmless
 * re-delivery of the same segment (same checksum) from a conflicting one (same name, different
 * bytes: two servers wrote different WAL under one timeline) before anything is overwritten.
 *
 * <p>{@code .partial} marks the last, incomplete segment of a timeline that ended inside it; its
 * object holds exactly the valid bytes.
 *
 * @param segment       which segment
 * @param partial       whether only a prefix of the segment is stored
 * @param logicalSha256 lower-case hex SHA-256 of the segment's bytes
 * @param compressed    whether the object is zstd-compressed ({@code .zst})
 */
public record WalObjectName(WalSegmentName segment, boolean partial, String logicalSha256, boolean compressed) {
    private static final Pattern NAME = Pattern.compile("([0-9A-F]{24})(\\.partial)?-([0-9a-f]{64})(\\.zst)?");

    public WalObjectName {
        if (!logicalSha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("not a SHA-256: " + logicalSha256);
        }
    }

    /** Parses an object's file name; empty when it is not a stored WAL segment name. */
    public static Optional<WalObjectName> parse(String fileName, WalSegmentSize size) {
        Matcher m = NAME.matcher(fileName);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new WalObjectName(WalSegmentName.parse(m.group(1), size), m.group(2) != null,
                    m.group(3), m.group(4) != null));
        } catch (CellarException e) {
            return Optional.empty();
        }
    }

    public String fileName() {
        return segment.fileName() + (partial ? ".partial" : "") + "-" + logicalSha256 + (compressed ? ".zst" : "");
    }

    public TimelineId timeline() {
        return segment.timeline();
    }

    /** The decoder the stored bytes need: {@code zstd} or {@code none} (the level is not recorded). */
    public String codecName() {
        return compressed ? "zstd" : "none";
    }

    /** A codec able to decode the object. */
    public Codec decoder() {
        return compressed ? Codec.parse("zstd") : Codec.NONE;
    }

    static WalObjectName of(WalSegmentName segment, boolean partial, String logicalSha256, Codec codec) {
        return switch (codec) {
            case Codec.None none -> new WalObjectName(segment, partial, logicalSha256, false);
            case Codec.Zstd zstd -> new WalObjectName(segment, partial, logicalSha256, true);
        };
    }

    static CellarException notAWalObject(String key) {
        return new CellarException(ErrorCode.OBJECT_CORRUPT, "unexpected object " + key + " among the WAL segments",
                "Only Cellar should write into the repository; move the object away.");
    }
}
