package dev.cellar.core.backup;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a {@code backup_manifest} with Jackson's streaming parser, following the state machine of
 * PostgreSQL's {@code parse_manifest.c}: the version key first, only versions 1 and 2, unknown keys
 * rejected at every level, {@code "Manifest-Checksum"} last, nothing after the top-level object,
 * and the checksum verified over every byte before the last line.
 *
 * <p>Stricter than PostgreSQL where no server output is affected, because Cellar builds restores
 * from what it reads here:
 * <ul>
 *   <li>the input must be UTF-8 without a byte-order mark (PostgreSQL writes UTF-8; Jackson alone
 *       would also guess UTF-16 and UTF-32);</li>
 *   <li>numbers must be JSON integers and texts JSON strings (PostgreSQL takes any scalar token);</li>
 *   <li>{@code "Files"} and {@code "WAL-Ranges"} must be present, {@code "Last-Modified"} too (the
 *       server always writes them; PostgreSQL's parser ignores {@code Last-Modified});</li>
 *   <li>{@code System-Identifier} is required in version 2 and refused in version 1;</li>
 *   <li>{@code Checksum-Algorithm} and {@code Checksum} come together, the algorithm is never
 *       {@code NONE}, and the checksum has exactly the algorithm's length;</li>
 *   <li>a key may not repeat in an object (PostgreSQL keeps the last one silently); a path may not
 *       repeat in the file list (pg_verifybackup refuses that too);</li>
 *   <li>paths have the shape {@link ManifestPaths} requires.</li>
 * </ul>
 */
final class BackupManifestParser {

    static final String VERSION = "PostgreSQL-Backup-Manifest-Version";
    static final String SYSTEM_IDENTIFIER = "System-Identifier";
    static final String FILES = "Files";
    static final String WAL_RANGES = "WAL-Ranges";
    static final String MANIFEST_CHECKSUM = "Manifest-Checksum";
    static final String PATH = "Path";
    static final String ENCODED_PATH = "Encoded-Path";
    static final String SIZE = "Size";
    static final String LAST_MODIFIED = "Last-Modified";
    static final String CHECKSUM_ALGORITHM = "Checksum-Algorithm";
    static final String CHECKSUM = "Checksum";
    static final String TIMELINE = "Timeline";
    static final String START_LSN = "Start-LSN";
    static final String END_LSN = "End-LSN";

    static final String HINT = "A backup_manifest is written by the PostgreSQL server and must be used exactly as "
            + "received; if this one is damaged, take a new backup.";

    private static final int SHA256_HEX_LENGTH = 64;
    private static final JsonFactory FACTORY = JsonFactory.builder().build();
    // pg_strftime("%Y-%m-%d %H:%M:%S %Z", pg_gmtime(...)) prints GMT; a frontend's libc may print UTC.
    private static final Pattern LAST_MODIFIED_FORMAT =
            Pattern.compile("(\\d{4})-(\\d{2})-(\\d{2}) (\\d{2}):(\\d{2}):(\\d{2}) (?:GMT|UTC)");

    private final String source;
    private final JsonParser json;

    private BackupManifestParser(String source, JsonParser json) {
        this.source = source;
        this.json = json;
    }

    static BackupManifest parse(byte[] bytes, String source) {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(source, "source");
        CharBuffer text = decodeUtf8(bytes, source);
        Content content;
        try (JsonParser json = FACTORY.createParser(text.array(), text.arrayOffset(), text.remaining())) {
            content = new BackupManifestParser(source, json).readManifest();
        } catch (JsonProcessingException e) {
            JsonLocation location = e.getLocation();
            throw failure(source, location == null ? -1 : location.getLineNr(), "not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            // The input is in memory; Jackson declares IOException for streams.
            throw new UncheckedIOException(e);
        }
        verifyChecksum(bytes, source, content.manifestChecksum());
        return BackupManifest.of(content.version(), content.systemIdentifier(), content.files(), content.walRanges());
    }

    private record Content(int version, OptionalLong systemIdentifier, List<ManifestFile> files,
                           List<WalRange> walRanges, String manifestChecksum) {
    }

    // Decoding first, with REPORT, both refuses malformed UTF-8 (naming the line) and keeps Jackson
    // from guessing another encoding from the first bytes.
    private static CharBuffer decodeUtf8(byte[] bytes, String source) {
        if (bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF) {
            throw failure(source, 1, "the file starts with a UTF-8 byte-order mark, which PostgreSQL never writes");
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int offset = in.position();
            throw failure(source, lineOf(bytes, offset), "byte %d is not valid UTF-8".formatted(offset));
        }
        return out.flip();
    }

    private static int lineOf(byte[] bytes, int offset) {
        int line = 1;
        for (int i = 0; i < offset && i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                line++;
            }
        }
        return line;
    }

    private Content readManifest() throws IOException {
        JsonToken token = json.nextToken();
        if (token != JsonToken.START_OBJECT) {
            throw fail("expected a JSON object, found " + describe(token));
        }
        token = json.nextToken();
        if (token != JsonToken.FIELD_NAME || !VERSION.equals(json.currentName())) {
            throw fail("expected \"%s\" as the first key, found %s".formatted(VERSION, describe(token)));
        }
        int version = readVersion();
        Set<String> seen = new HashSet<>(List.of(VERSION));
        OptionalLong systemIdentifier = OptionalLong.empty();
        List<ManifestFile> files = null;
        List<WalRange> walRanges = null;
        String manifestChecksum = null;
        while ((token = json.nextToken()) == JsonToken.FIELD_NAME) {
            String key = json.currentName();
            if (manifestChecksum != null) {
                throw fail("\"%s\" must be the last key, but \"%s\" follows it".formatted(MANIFEST_CHECKSUM, key));
            }
            if (!seen.add(key) && isTopLevelKey(key)) {
                throw fail("the key \"%s\" appears twice".formatted(key));
            }
            switch (key) {
                case SYSTEM_IDENTIFIER -> {
                    if (version == 1) {
                        throw fail("\"%s\" is not allowed in a version 1 manifest (version 2, PostgreSQL 17, added it)"
                                .formatted(SYSTEM_IDENTIFIER));
                    }
                    systemIdentifier = OptionalLong.of(readUnsigned(SYSTEM_IDENTIFIER, true));
                }
                case FILES -> files = readFiles();
                case WAL_RANGES -> walRanges = readWalRanges();
                case MANIFEST_CHECKSUM -> manifestChecksum = readManifestChecksum();
                default -> throw fail("unknown key \"%s\": a manifest has only \"%s\", \"%s\", \"%s\", \"%s\" and \"%s\""
                        .formatted(key, VERSION, SYSTEM_IDENTIFIER, FILES, WAL_RANGES, MANIFEST_CHECKSUM));
            }
        }
        // Jackson reports any other token here (a value without a key) as invalid JSON itself.
        if (manifestChecksum == null) {
            throw fail("the manifest ends without \"%s\"".formatted(MANIFEST_CHECKSUM));
        }
        if (files == null) {
            throw fail("the manifest has no \"%s\" list".formatted(FILES));
        }
        if (walRanges == null) {
            throw fail("the manifest has no \"%s\" list".formatted(WAL_RANGES));
        }
        if (version == 2 && systemIdentifier.isEmpty()) {
            throw fail("a version 2 manifest must have \"%s\"".formatted(SYSTEM_IDENTIFIER));
        }
        token = json.nextToken();
        if (token != null) {
            throw fail("found %s after the manifest's closing brace, where the file must end".formatted(describe(token)));
        }
        return new Content(version, systemIdentifier, files, walRanges, manifestChecksum);
    }

    private static boolean isTopLevelKey(String key) {
        return switch (key) {
            case VERSION, SYSTEM_IDENTIFIER, FILES, WAL_RANGES, MANIFEST_CHECKSUM -> true;
            default -> false;
        };
    }

    private int readVersion() throws IOException {
        JsonToken token = json.nextToken();
        if (token != JsonToken.VALUE_NUMBER_INT) {
            throw fail("the manifest version must be an integer, found " + describe(token));
        }
        String text = json.getText();
        if (!text.equals("1") && !text.equals("2")) {
            throw fail("unsupported manifest version %s: Cellar reads versions 1 (PostgreSQL 13 to 16) and 2 (PostgreSQL 17 and later)"
                    .formatted(text));
        }
        return Integer.parseInt(text);
    }

    /** A JSON integer from 0 to 2^64-1 ({@code unsigned}) or to 2^63-1. */
    private long readUnsigned(String what, boolean unsigned) throws IOException {
        JsonToken token = json.nextToken();
        if (token != JsonToken.VALUE_NUMBER_INT || json.getText().startsWith("-")) {
            throw fail("%s must be a non-negative integer, found %s".formatted(what, describe(token)));
        }
        String text = json.getText();
        try {
            return unsigned ? Long.parseUnsignedLong(text) : Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw fail("%s %s is too large: the largest is %s".formatted(what, text,
                    unsigned ? Long.toUnsignedString(-1L) : Long.toString(Long.MAX_VALUE)));
        }
    }

    private String readString(String what) throws IOException {
        JsonToken token = json.nextToken();
        if (token != JsonToken.VALUE_STRING) {
            throw fail("%s must be a string, found %s".formatted(what, describe(token)));
        }
        return json.getText();
    }

    private String readManifestChecksum() throws IOException {
        String checksum = readString("\"" + MANIFEST_CHECKSUM + "\"");
        if (checksum.length() != SHA256_HEX_LENGTH || !Hex.isHex(checksum)) {
            throw fail("\"%s\" must be 64 hexadecimal digits (a SHA-256), found \"%s\"".formatted(MANIFEST_CHECKSUM, checksum));
        }
        return checksum.toLowerCase(Locale.ROOT);
    }

    private List<ManifestFile> readFiles() throws IOException {
        expectArray(FILES);
        List<ManifestFile> files = new ArrayList<>();
        Map<String, Integer> lineOfPath = new HashMap<>();
        JsonToken token;
        while ((token = json.nextToken()) != JsonToken.END_ARRAY) {
            if (token != JsonToken.START_OBJECT) {
                throw fail("each entry of \"%s\" must be an object, found %s".formatted(FILES, describe(token)));
            }
            int line = line();
            ManifestFile file = readFile(files.size() + 1);
            Integer earlier = lineOfPath.putIfAbsent(file.path(), line);
            if (earlier != null) {
                throw failure(source, line, "the file \"%s\" is listed twice (first on line %d)".formatted(file.path(), earlier));
            }
            files.add(file);
        }
        return files;
    }

    private ManifestFile readFile(int number) throws IOException {
        int line = line();
        String path = null;
        String encodedPath = null;
        Long size = null;
        Instant lastModified = null;
        String algorithmName = null;
        String checksum = null;
        Set<String> seen = new HashSet<>();
        while (json.nextToken() == JsonToken.FIELD_NAME) {
            String key = json.currentName();
            if (!seen.add(key)) {
                throw fail("file entry %d has the key \"%s\" twice".formatted(number, key));
            }
            switch (key) {
                case PATH -> path = readString("\"" + PATH + "\"");
                case ENCODED_PATH -> encodedPath = readString("\"" + ENCODED_PATH + "\"");
                case SIZE -> size = readUnsigned("\"" + SIZE + "\"", false);
                case LAST_MODIFIED -> lastModified = parseLastModified(readString("\"" + LAST_MODIFIED + "\""));
                case CHECKSUM_ALGORITHM -> algorithmName = readString("\"" + CHECKSUM_ALGORITHM + "\"");
                case CHECKSUM -> checksum = readString("\"" + CHECKSUM + "\"");
                default -> throw fail("unknown key \"%s\" in file entry %d: a file has \"%s\" or \"%s\", \"%s\", \"%s\" and optionally \"%s\" with \"%s\""
                        .formatted(key, number, PATH, ENCODED_PATH, SIZE, LAST_MODIFIED, CHECKSUM_ALGORITHM, CHECKSUM));
            }
        }
        if (path == null && encodedPath == null) {
            throw failure(source, line, "file entry %d has neither \"%s\" nor \"%s\"".formatted(number, PATH, ENCODED_PATH));
        }
        if (path != null && encodedPath != null) {
            throw failure(source, line, "file entry %d has both \"%s\" and \"%s\"".formatted(number, PATH, ENCODED_PATH));
        }
        byte[] pathBytes;
        if (encodedPath != null) {
            if (encodedPath.isEmpty() || encodedPath.length() % 2 != 0 || !Hex.isHex(encodedPath)) {
                throw failure(source, line, "\"%s\" of file entry %d is not an even number of hexadecimal digits: \"%s\""
                        .formatted(ENCODED_PATH, number, encodedPath));
            }
            pathBytes = Hex.decode(encodedPath);
        } else {
            pathBytes = null;
        }
        String name = pathBytes == null ? path : ManifestPaths.decodeLossily(pathBytes);
        if (size == null) {
            throw failure(source, line, "the file \"%s\" has no \"%s\"".formatted(name, SIZE));
        }
        if (lastModified == null) {
            throw failure(source, line, "the file \"%s\" has no \"%s\"".formatted(name, LAST_MODIFIED));
        }
        if ((algorithmName == null) != (checksum == null)) {
            throw failure(source, line, "the file \"%s\" has \"%s\" without \"%s\": they come together or not at all"
                    .formatted(name, algorithmName == null ? CHECKSUM : CHECKSUM_ALGORITHM,
                            algorithmName == null ? CHECKSUM_ALGORITHM : CHECKSUM));
        }
        ChecksumAlgorithm algorithm = ChecksumAlgorithm.NONE;
        String checksumHex = "";
        if (algorithmName != null) {
            algorithm = parseAlgorithm(algorithmName, name, line);
            if (checksum.length() != algorithm.hexLength() || !Hex.isHex(checksum)) {
                throw failure(source, line, "the %s checksum of the file \"%s\" must be %d hexadecimal digits, found \"%s\""
                        .formatted(algorithm.pgName(), name, algorithm.hexLength(), checksum));
            }
            checksumHex = checksum.toLowerCase(Locale.ROOT);
        }
        try {
            return pathBytes == null
                    ? ManifestFile.of(path, size, lastModified, algorithm, checksumHex)
                    : ManifestFile.ofBytes(pathBytes, size, lastModified, algorithm, checksumHex);
        } catch (CellarException e) {
            throw failure(source, line, e.getMessage());
        }
    }

    private ChecksumAlgorithm parseAlgorithm(String name, String path, int line) {
        ChecksumAlgorithm algorithm;
        try {
            algorithm = ChecksumAlgorithm.parse(name);
        } catch (CellarException e) {
            algorithm = ChecksumAlgorithm.NONE;
        }
        if (algorithm == ChecksumAlgorithm.NONE) {
            throw failure(source, line, "the file \"%s\" has the unknown checksum algorithm \"%s\": expected CRC32C, SHA224, SHA256, SHA384 or SHA512"
                    .formatted(path, name));
        }
        return algorithm;
    }

    private Instant parseLastModified(String text) {
        Matcher m = LAST_MODIFIED_FORMAT.matcher(text);
        if (m.matches()) {
            try {
                return LocalDateTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                                Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)),
                                Integer.parseInt(m.group(5)), Integer.parseInt(m.group(6)))
                        .toInstant(ZoneOffset.UTC);
            } catch (DateTimeException e) {
                // falls through to the message below: the fields are out of range (month 13, second 60…)
            }
        }
        throw fail("\"%s\" must be a time such as \"2026-11-21 10:00:00 GMT\", found \"%s\"".formatted(LAST_MODIFIED, text));
    }

    private List<WalRange> readWalRanges() throws IOException {
        expectArray(WAL_RANGES);
        List<WalRange> ranges = new ArrayList<>();
        JsonToken token;
        while ((token = json.nextToken()) != JsonToken.END_ARRAY) {
            if (token != JsonToken.START_OBJECT) {
                throw fail("each entry of \"%s\" must be an object, found %s".formatted(WAL_RANGES, describe(token)));
            }
            ranges.add(readWalRange(ranges.size() + 1));
        }
        return ranges;
    }

    private WalRange readWalRange(int number) throws IOException {
        int line = line();
        String timeline = null;
        String start = null;
        String end = null;
        Set<String> seen = new HashSet<>();
        while (json.nextToken() == JsonToken.FIELD_NAME) {
            String key = json.currentName();
            if (!seen.add(key)) {
                throw fail("WAL range %d has the key \"%s\" twice".formatted(number, key));
            }
            switch (key) {
                case TIMELINE -> timeline = Long.toString(readUnsigned("\"" + TIMELINE + "\"", false));
                case START_LSN -> start = readString("\"" + START_LSN + "\"");
                case END_LSN -> end = readString("\"" + END_LSN + "\"");
                default -> throw fail("unknown key \"%s\" in WAL range %d: a WAL range has \"%s\", \"%s\" and \"%s\""
                        .formatted(key, number, TIMELINE, START_LSN, END_LSN));
            }
        }
        for (String[] required : new String[][] {{TIMELINE, timeline}, {START_LSN, start}, {END_LSN, end}}) {
            if (required[1] == null) {
                throw failure(source, line, "WAL range %d has no \"%s\"".formatted(number, required[0]));
            }
        }
        try {
            return new WalRange(TimelineId.parse(timeline), Lsn.parse(start), Lsn.parse(end));
        } catch (CellarException e) {
            throw failure(source, line, "WAL range %d: %s".formatted(number, e.getMessage()));
        }
    }

    private void expectArray(String key) throws IOException {
        JsonToken token = json.nextToken();
        if (token != JsonToken.START_ARRAY) {
            throw fail("\"%s\" must be a list, found %s".formatted(key, describe(token)));
        }
    }

    // verify_manifest_checksum: the checksum covers everything up to and including the newline
    // before the last line; the last line must end with a newline, so there are at least two.
    private static void verifyChecksum(byte[] bytes, String source, String expected) {
        int newlines = 0;
        int last = -1;
        int penultimate = -1;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                newlines++;
                penultimate = last;
                last = i;
            }
        }
        if (newlines < 2) {
            throw failure(source, -1, "the manifest has fewer than 2 lines, but PostgreSQL writes \"%s\" on a line of its own"
                    .formatted(MANIFEST_CHECKSUM));
        }
        if (last != bytes.length - 1) {
            throw failure(source, newlines + 1, "the last line does not end with a newline: the file is truncated or was edited");
        }
        String actual = ManifestChecksums.selfChecksum(bytes, penultimate + 1);
        if (!actual.equals(expected)) {
            throw failure(source, -1, "checksum mismatch: \"%s\" is %s but the manifest's contents hash to %s; the file is damaged or was edited"
                    .formatted(MANIFEST_CHECKSUM, expected, actual));
        }
    }

    private int line() {
        return json.currentTokenLocation().getLineNr();
    }

    private CellarException fail(String problem) {
        return failure(source, line(), problem);
    }

    private static CellarException failure(String source, int line, String problem) {
        String where = line > 0 ? "%s, line %d".formatted(source, line) : source;
        return new CellarException(ErrorCode.INVALID_VALUE, "invalid backup manifest %s: %s".formatted(where, problem), HINT);
    }

    private String describe(JsonToken token) throws IOException {
        if (token == null) {
            return "the end of the file";
        }
        return switch (token) {
            case START_OBJECT -> "an object";
            case END_OBJECT -> "the end of the object";
            case START_ARRAY -> "a list";
            case END_ARRAY -> "the end of the list";
            case FIELD_NAME -> "the key \"%s\"".formatted(json.currentName());
            case VALUE_STRING -> "the string \"%s\"".formatted(json.getText());
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE, VALUE_NULL -> json.getText();
            default -> token.toString();
        };
    }
}
