package dev.cellar.storage.codec;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;

/** The {@code OBJECT_CORRUPT} errors of reading a {@link StoredObject} back, worded in one place. */
final class Corruption {
    static final String HINT = "the object's bytes changed after Cellar wrote them (disk, file system or copy fault);"
            + " discard anything already read from it, then restore the object from another copy of the"
            + " repository or take a new backup";

    private final String object;
    private final StoredObject expected;

    Corruption(StoredObject expected, String store) {
        this.object = "object " + expected.key() + " in " + store;
        this.expected = expected;
    }

    /**
     * The verdict on stored bytes that were read to their end, or null when they match the record.
     *
     * @param decoderFailure why decoding failed, appended when there is one; may be null
     */
    CellarException ofStoredBytes(long size, String sha256, Throwable decoderFailure) {
        String message;
        if (size != expected.storedSize()) {
            message = object + ": stored size " + size + " bytes does not match the recorded " + expected.storedSize()
                    + " bytes (stored SHA-256 " + sha256 + ", recorded " + expected.storedSha256() + ")";
        } else if (!sha256.equals(expected.storedSha256())) {
            message = object + ": stored SHA-256 " + sha256 + " does not match the recorded " + expected.storedSha256();
        } else if (decoderFailure != null) {
            message = object + ": cannot decode its " + expected.codec().spec() + " data although its stored SHA-256 "
                    + sha256 + " matches the record";
        } else {
            return null;
        }
        if (decoderFailure != null) {
            message += " (decoder: " + decoderFailure.getMessage() + ")";
        }
        return new CellarException(ErrorCode.OBJECT_CORRUPT, message, HINT, decoderFailure);
    }

    CellarException storedTooLong() {
        return new CellarException(ErrorCode.OBJECT_CORRUPT, object + ": more than the recorded " + expected.storedSize()
                + " bytes are stored (recorded stored SHA-256 " + expected.storedSha256() + ")", HINT);
    }

    /**
     * The verdict on decoded bytes read to their end, or null when they match the record;
     * {@code sha256} is null when the record has none (the decoder checked the frame's checksum).
     */
    CellarException ofLogicalBytes(long size, String sha256) {
        if (size != expected.logicalSize()) {
            return new CellarException(ErrorCode.OBJECT_CORRUPT, object + ": decoded size " + size
                    + " bytes does not match the recorded " + expected.logicalSize() + " bytes"
                    + (sha256 == null ? "" : " (decoded SHA-256 " + sha256 + ", recorded " + expected.logicalSha256() + ")"),
                    HINT);
        }
        if (sha256 != null && !sha256.equals(expected.logicalSha256())) {
            return new CellarException(ErrorCode.OBJECT_CORRUPT, object + ": decoded SHA-256 " + sha256
                    + " does not match the recorded " + expected.logicalSha256(), HINT);
        }
        return null;
    }

    CellarException logicalTooLong() {
        return new CellarException(ErrorCode.OBJECT_CORRUPT, object + ": decodes to more than the recorded "
                + expected.logicalSize() + " bytes" + (expected.logicalSha256() == null ? ""
                : " (recorded SHA-256 " + expected.logicalSha256() + ")"), HINT);
    }
}
