package dev.cellar.storage.backup;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.backup.ChecksumAlgorithm;
import dev.cellar.storage.codec.Codec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The file index of a backup: one object, {@code files.jsonl} (plus the codec's suffix), in JSON
 * Lines. The first line is a header, every further line one archive entry, archives in the order
 * they were received and entries in stream order (docs/repository-format.md):
 *
 * <pre>
 * {"format":2,"content":"cellar-backup-file-index","cluster":"c1","backup":"b1","chunkSize":16777216,
 *  "checksum":"CRC32C","archives":[{"archive":"16390","entries":3,"chunks":1,"contentSize":8192},…]}
 * {"archive":"base","path":"base/1/1259","type":"file","mode":"0600","mtime":1763705000,"size":8192,
 *  "checksum":"839206e3","offset":0}
 * {"archive":"base","path":"pg_wal","type":"directory","mode":"0700","mtime":1763705000}
 * {"archive":"base","path":"pg_tblspc/16390","type":"symlink","mode":"0777","mtime":1763705000,"target":"/srv/ts"}
 * </pre>
 *
 * File checksums use the header's algorithm, printed as a backup manifest prints them. A reader
 * refuses another {@code format} and ignores unknown properties of the same format. Format 1
 * (SHA-256 only, before release) is not read.
 */
final class FileIndex {
    static final int FORMAT = 2;
    static final String CONTENT = "cellar-backup-file-index";

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();
    private static final Pattern HEX = Pattern.compile("[0-9a-f]+");
    private static final Pattern MODE = Pattern.compile("[0-7]{4}");

    private FileIndex() {
    }

    /** The object's name relative to the backup's directory. */
    static String objectName(Codec codec) {
        return "files.jsonl" + codec.fileSuffix();
    }

    @JsonPropertyOrder({"format", "content", "cluster", "backup", "chunkSize", "checksum", "archives"})
    record Header(int format, String content, String cluster, String backup, int chunkSize,
                  String checksum, List<ArchiveHeader> archives) {

        /** The file checksums' algorithm. */
        ChecksumAlgorithm checksumAlgorithm() {
            return ChecksumAlgorithm.parse(checksum);
        }
    }

    /** One archive: how many entries of the index and how many chunks belong to it. */
    @JsonPropertyOrder({"archive", "entries", "chunks", "contentSize"})
    record ArchiveHeader(String archive, long entries, int chunks, long contentSize) {
    }

    @JsonPropertyOrder({"archive", "path", "type", "mode", "mtime", "size", "checksum", "offset", "target"})
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Line(String archive, String path, String type, String mode, Long mtime, Long size, String checksum,
                Long offset, String target) {
        static Line of(BackupEntry e) {
            boolean file = e.isFile();
            return new Line(e.archive(), e.path(), e.type().indexName(), "%04o".formatted(e.mode()), e.mtime(),
                    file ? e.size() : null, e.checksum(), file ? e.offset() : null, e.target());
        }
    }

    /** The index's bytes, produced line by line as the stream is read (the index may be large). */
    static InputStream stream(Header header, Iterator<BackupEntry> entries) {
        return new InputStream() {
            private byte[] line = json(header);
            private int position;

            @Override
            public int read() {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) {
                if (length == 0) {
                    return 0;
                }
                int total = 0;
                while (total < length) {
                    if (position == line.length) {
                        if (!entries.hasNext()) {
                            break;
                        }
                        line = json(Line.of(entries.next()));
                        position = 0;
                    }
                    int n = Math.min(length - total, line.length - position);
                    System.arraycopy(line, position, buffer, offset + total, n);
                    position += n;
                    total += n;
                }
                return total == 0 ? -1 : total;
            }
        };
    }

    private static byte[] json(Object value) {
        try {
            byte[] bytes = MAPPER.writeValueAsBytes(value);
            byte[] line = java.util.Arrays.copyOf(bytes, bytes.length + 1);
            line[bytes.length] = '\n';
            return line;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + value, e);
        }
    }

    /** A parsed index. Entries are checked line by line; their consistency is the caller's job. */
    record Parsed(Header header, List<BackupEntry> entries) {
    }

    /**
     * Reads an index.
     *
     * @param name the object, for messages
     * @throws CellarException {@code OBJECT_CORRUPT} for anything malformed, naming the line;
     *     {@code INVALID_VALUE} for a newer format; errors of the stream itself pass through
     */
    static Parsed read(InputStream in, String name) {
        try {
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
            String first = reader.readLine();
            if (first == null) {
                throw corrupt(name, 1, "the index is empty");
            }
            Header header = header(first, name);
            int checksumLength = header.checksumAlgorithm().hexLength();
            List<BackupEntry> entries = new ArrayList<>();
            int number = 1;
            for (String text = reader.readLine(); text != null; text = reader.readLine()) {
                number++;
                entries.add(entry(text, name, number, checksumLength));
            }
            return new Parsed(header, entries);
        } catch (IOException e) {
            throw new CellarException(ErrorCode.STORAGE_FAILED, "cannot read " + name + ": " + e.getMessage(), null, e);
        }
    }

    private static Header header(String text, String name) {
        JsonNode tree;
        try {
            tree = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw corrupt(name, 1, "the header is not JSON: " + e.getOriginalMessage());
        }
        if (!CONTENT.equals(tree.path("content").asText(null))) {
            throw corrupt(name, 1, "the header does not name the content \"" + CONTENT + "\"");
        }
        int format = tree.path("format").asInt(-1);
        if (format < 1) {
            throw corrupt(name, 1, "the header has no valid \"format\" number");
        }
        if (format != FORMAT) {
            throw new CellarException(ErrorCode.INVALID_VALUE, name + " has format " + format
                    + ", this Cellar reads format " + FORMAT,
                    "use the Cellar version that wrote the repository");
        }
        try {
            Header header = MAPPER.treeToValue(tree, Header.class);
            if (header.cluster() == null || header.backup() == null || header.archives() == null
                    || header.checksum() == null
                    || header.archives().stream().anyMatch(a -> a == null || a.archive() == null)) {
                throw corrupt(name, 1, "the header lacks cluster, backup, checksum or archives");
            }
            ChecksumAlgorithm algorithm;
            try {
                algorithm = header.checksumAlgorithm();
            } catch (CellarException e) {
                throw corrupt(name, 1, e.getMessage());
            }
            if (algorithm == ChecksumAlgorithm.NONE) {
                throw corrupt(name, 1, "the file checksum algorithm must not be NONE");
            }
            return header;
        } catch (JsonProcessingException e) {
            throw corrupt(name, 1, "the header is malformed: " + e.getOriginalMessage());
        }
    }

    private static BackupEntry entry(String text, String name, int number, int checksumLength) {
        Line line;
        try {
            line = MAPPER.readValue(text, Line.class);
        } catch (JsonProcessingException e) {
            throw corrupt(name, number, "not a valid entry: " + e.getOriginalMessage());
        }
        if (line.archive() == null || line.path() == null || line.type() == null || line.mode() == null
                || line.mtime() == null) {
            throw corrupt(name, number, "the entry lacks archive, path, type, mode or mtime");
        }
        EntryType type = EntryType.fromIndexName(line.type());
        if (type == null) {
            throw corrupt(name, number, "unknown entry type \"" + line.type() + "\"");
        }
        if (!MODE.matcher(line.mode()).matches()) {
            throw corrupt(name, number, "invalid mode \"" + line.mode() + "\"");
        }
        if (type == EntryType.FILE && (line.size() == null || line.offset() == null || line.checksum() == null
                || line.checksum().length() != checksumLength || !HEX.matcher(line.checksum()).matches())) {
            throw corrupt(name, number, "a file entry needs size, offset and a checksum of " + checksumLength
                    + " lower-case hex digits");
        }
        try {
            return new BackupEntry(line.archive(), line.path(), type, Integer.parseInt(line.mode(), 8), line.mtime(),
                    type == EntryType.FILE ? line.size() : 0, line.checksum(),
                    line.target(), type == EntryType.FILE ? line.offset() : -1);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw corrupt(name, number, e.getMessage());
        }
    }

    static CellarException corrupt(String name, int line, String problem) {
        return new CellarException(ErrorCode.OBJECT_CORRUPT, name + ", line " + line + ": " + problem,
                "the backup's file index is damaged although its checksum matched backup.json: the backup was"
                        + " written by a faulty Cellar or edited; restore from another backup");
    }
}
