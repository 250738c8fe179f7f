package dev.cellar.core.backup;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Rules for the file paths a backup manifest lists: relative to the data directory, as the server
 * writes them ({@code base/5/16384}, {@code pg_tblspc/16385/PG_17_202406281/5/16390}).
 *
 * <p>Stricter than PostgreSQL's parser, which takes any string: Cellar joins these paths onto
 * restore directories, so a path that is absolute or climbs out with {@code ..} is refused here
 * rather than trusted later. No server writes such a path.
 */
final class ManifestPaths {

    private ManifestPaths() {
    }

    /** What is wrong with {@code path}, or empty if it is a valid manifest path. */
    static Optional<String> problem(String path) {
        if (path.isEmpty()) {
            return Optional.of("the path is empty");
        }
        if (path.indexOf('\0') >= 0) {
            return Optional.of("the path contains a NUL character");
        }
        if (path.startsWith("/")) {
            return Optional.of("the path is absolute; manifest paths are relative to the data directory");
        }
        for (String element : path.split("/", -1)) {
            if (element.isEmpty() || element.equals(".") || element.equals("..")) {
                return Optional.of("the path has an empty, \".\" or \"..\" element");
            }
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < path.length() && Character.isLowSurrogate(path.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return Optional.of("the path contains an unpaired UTF-16 surrogate, which has no UTF-8 form");
            }
        }
        return Optional.empty();
    }

    /** Whether {@code bytes} are well-formed UTF-8 (what {@code pg_verify_mbstr(PG_UTF8, …)} checks). */
    static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** {@code bytes} as UTF-8, each malformed sequence replaced by U+FFFD. */
    static String decodeLossily(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
