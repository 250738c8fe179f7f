package dev.cellar.storage.repository;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.storage.io.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A JSON document that carries its own SHA-256, in the manner of PostgreSQL's backup manifest: the
 * last member is {@code "checksum"}, computed over every byte before its line. A reader needs no
 * catalog to tell a damaged {@code backup.json} from a good one, and the check does not depend on
 * how a JSON library formats the rest.
 *
 * <pre>
 * {
 *   "format" : 1,
 *   ...,
 *   "checksum" : "9f2c…"
 * }
 * </pre>
 */
final class ChecksummedDocument {
    private static final byte[] TRAILER_START = ",\n  \"checksum\" : \"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRAILER_END = "\"\n}\n".getBytes(StandardCharsets.US_ASCII);
    private static final int SHA256_HEX = 64;

    /** The newest document format this code writes and the newest it reads. */
    static final int FORMAT = 1;

    private ChecksummedDocument() {
    }

    /** Serializes {@code document} (whose first property must be {@code format}) with its checksum. */
    static byte[] write(Object document) {
        byte[] body;
        try {
            body = RepositoryJson.MAPPER.writeValueAsBytes(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + document.getClass().getSimpleName(), e);
        }
        // Jackson's pretty printer ends an object with "\n}"; the checksum line replaces that end.
        int end = body.length;
        if (end < 2 || body[end - 1] != '}' || body[end - 2] != '\n') {
            throw new IllegalStateException("unexpected JSON layout from the serializer");
        }
        byte[] covered = concat(Arrays.copyOf(body, end - 2), ",\n".getBytes(StandardCharsets.US_ASCII));
        String checksum = Sha256.hex(covered);
        return concat(covered, ("  \"checksum\" : \"" + checksum).getBytes(StandardCharsets.US_ASCII), TRAILER_END);
    }

    /**
     * Verifies the checksum and the format number, then maps the document.
     *
     * @param name what the document is, for messages (e.g. the object key)
     * @throws CellarException {@code OBJECT_CORRUPT} when the checksum is missing or wrong or the
     *     JSON is damaged; {@code INVALID_VALUE} when the format is newer than this Cellar reads
     */
    static <T> T read(byte[] bytes, Class<T> type, String name) {
        int start = lastIndexOf(bytes, TRAILER_START);
        int checksumStart = start + TRAILER_START.length;
        if (start < 0 || bytes.length != checksumStart + SHA256_HEX + TRAILER_END.length
                || !Arrays.equals(bytes, checksumStart + SHA256_HEX, bytes.length, TRAILER_END, 0, TRAILER_END.length)) {
            throw new CellarException(ErrorCode.OBJECT_CORRUPT,
                    name + " has no checksum line at its end: it is truncated or was not written by Cellar",
                    "Restore it from the offsite copy, or remove the backup it belongs to.");
        }
        String recorded = new String(bytes, checksumStart, SHA256_HEX, StandardCharsets.US_ASCII);
        String actual = Sha256.hex(Arrays.copyOf(bytes, start + 2));
        if (!recorded.equals(actual)) {
            throw new CellarException(ErrorCode.OBJECT_CORRUPT,
                    name + " is damaged: its content has SHA-256 " + actual + " but the document records " + recorded,
                    "Restore it from the offsite copy, or remove the backup it belongs to.");
        }
        try {
            JsonNode tree = RepositoryJson.MAPPER.readTree(bytes);
            int format = tree.path("format").asInt(-1);
            if (format < 1) {
                throw new CellarException(ErrorCode.OBJECT_CORRUPT, name + " has no valid \"format\" number");
            }
            if (format > FORMAT) {
                throw new CellarException(ErrorCode.INVALID_VALUE,
                        name + " has format " + format + ", newer than this Cellar reads (up to " + FORMAT + ")",
                        "Use the Cellar version that wrote the repository, or a newer one.");
            }
            return RepositoryJson.MAPPER.treeToValue(tree, type);
        } catch (IOException e) {
            throw new CellarException(ErrorCode.OBJECT_CORRUPT, name + " is not a valid document: " + e.getMessage(),
                    null, e);
        }
    }

    private static int lastIndexOf(byte[] haystack, byte[] needle) {
        for (int i = haystack.length - needle.length; i >= 0; i--) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] p : parts) {
            length += p.length;
        }
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
