package dev.cellar.storage;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The name of an object in an {@link ObjectStore}: a relative path of {@code /}-separated segments,
 * such as {@code clusters/c1/wal/00000001/000000010000000000000001.zst}.
 *
 * <p>The rules make every key safe as a relative file path on any store and valid as an S3 key:
 * no leading {@code /}, no empty segment, no {@code .} or {@code ..} segment, no NUL character, no
 * backslash, at most {@value #MAX_BYTES} bytes in UTF-8. Segments starting with
 * {@value #RESERVED_PREFIX} are reserved: stores use that prefix for their temporary objects and never
 * list them, so a key using it would vanish.
 *
 * <p>Keys order by Unicode code point, which is the order of their UTF-8 bytes and thus the order
 * in which S3 lists them ({@link #ORDER}); {@link String#compareTo} differs for characters outside
 * the Basic Multilingual Plane.
 *
 * @param value the key; never null
 */
public record ObjectKey(String value) implements Comparable<ObjectKey> {
    /** S3's limit on key length, applied to every store so that keys can move between them. */
    public static final int MAX_BYTES = 1024;
    /** The segment prefix stores reserve for temporary objects. */
    public static final String RESERVED_PREFIX = ".tmp-";
    /** Code-point order of key strings (equal to UTF-8 byte order). */
    public static final Comparator<String> ORDER = ObjectKey::compareCodePoints;

    /** @throws CellarException ({@code INVALID_VALUE}) quoting the key and the rule it breaks */
    public ObjectKey {
        Objects.requireNonNull(value, "value");
        if (value.isEmpty()) {
            throw invalid("object key", value, "it is empty");
        }
        if (value.startsWith("/")) {
            throw invalid("object key", value, "it must be relative (no leading '/')");
        }
        checkCharactersAndLength("object key", value);
        for (String segment : value.split("/", -1)) {
            checkSegment("object key", value, segment);
        }
    }

    /** Shorthand for the constructor. */
    public static ObjectKey of(String value) {
        return new ObjectKey(value);
    }

    /**
     * Checks a listing prefix: the empty string, or text that keys may start with. Every segment but
     * the last must follow the key rules; the last may be a partial segment name ({@code wal/0000}
     * matches {@code wal/000000010000000000000001}) and may be empty ({@code wal/}).
     *
     * @return the prefix
     * @throws CellarException ({@code INVALID_VALUE}) quoting the prefix and the rule it breaks
     */
    public static String checkPrefix(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        if (prefix.startsWith("/")) {
            throw invalid("prefix", prefix, "it must be relative (no leading '/')");
        }
        checkCharactersAndLength("prefix", prefix);
        String[] segments = prefix.split("/", -1);
        for (int i = 0; i < segments.length - 1; i++) {
            checkSegment("prefix", prefix, segments[i]);
        }
        return prefix;
    }

    /** The segments, in order; never empty. */
    public List<String> segments() {
        return List.of(value.split("/"));
    }

    /** The last segment, e.g. the file name of the object. */
    public String name() {
        return value.substring(value.lastIndexOf('/') + 1);
    }

    /** This key with one more segment appended. */
    public ObjectKey resolve(String segment) {
        return new ObjectKey(value + "/" + segment);
    }

    @Override
    public int compareTo(ObjectKey other) {
        return compareCodePoints(value, other.value);
    }

    @Override
    public String toString() {
        return value;
    }

    private static void checkCharactersAndLength(String what, String text) {
        if (text.indexOf('\0') >= 0) {
            throw invalid(what, text, "it contains a NUL character");
        }
        if (text.indexOf('\\') >= 0) {
            throw invalid(what, text, "it contains a backslash; use '/' between segments");
        }
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            throw invalid(what, text, "it is " + bytes + " bytes long in UTF-8, more than " + MAX_BYTES);
        }
    }

    private static void checkSegment(String what, String text, String segment) {
        if (segment.isEmpty()) {
            throw invalid(what, text, "it contains an empty segment");
        }
        if (segment.equals(".") || segment.equals("..")) {
            throw invalid(what, text, "it contains a '" + segment + "' segment");
        }
        if (segment.startsWith(RESERVED_PREFIX)) {
            throw invalid(what, text, "segments starting with '" + RESERVED_PREFIX
                    + "' are reserved for temporary files");
        }
    }

    private static CellarException invalid(String what, String text, String reason) {
        return new CellarException(ErrorCode.INVALID_VALUE,
                "invalid " + what + " \"" + printable(text) + "\": " + reason);
    }

    /** The text for a message: control characters escaped, long text shortened. */
    private static String printable(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().limit(80).forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append("\\u%04x".formatted(c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return text.codePointCount(0, text.length()) > 80 ? out + "…" : out.toString();
    }

    private static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
