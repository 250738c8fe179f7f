package dev.cellar.storage.backup;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Decides whether one entry of a BASE_BACKUP archive may be stored, before any of its bytes are:
 * the archive stream comes from the network and is restored later into a directory, so a hostile
 * or damaged stream must not be able to name anything outside that directory, smuggle in links or
 * devices, or make two entries fight over one path. Pure: no I/O; one instance per archive, fed
 * the entries in stream order (it remembers paths to find duplicates and entries below links).
 * Not thread-safe.
 *
 * <p>What PostgreSQL sends (basebackup.c, src/port/tar.c): ustar headers, names of at most 99
 * bytes relative to the data directory (or to the tablespace directory), a trailing {@code /} on
 * directories and symbolic links, types {@code '0'} (file), {@code '5'} (directory) and
 * {@code '2'} (symbolic link, only for {@code pg_tblspc/<oid>}). The rules accept that and refuse
 * the rest:
 *
 * <ul>
 *   <li>names: valid UTF-8, not empty, at most {@value #MAX_PATH_BYTES} bytes and
 *       {@value #MAX_COMPONENT_BYTES} per component; not absolute; no empty, {@code .} or
 *       {@code ..} component; no NUL, other ASCII control character or backslash (none is ever
 *       in a name PostgreSQL creates; control characters corrupt logs and terminals, and a
 *       backslash is a separator elsewhere). One leading {@code ./} is tolerated and removed; one
 *       trailing {@code /} is removed from directories and symbolic links and refused on files.
 *       Names that are not UTF-8 are refused rather than altered: the index stores names as text.
 *   <li>types: files, directories, symbolic links. Hard links, character and block devices,
 *       FIFOs, sparse files and any other type are refused. Directories and links carry no data.
 *   <li>symbolic links only as {@code pg_tblspc/<digits>} in the {@code base} archive; the target
 *       (a tablespace's location) is recorded as text, never followed, and must be non-empty
 *       without NUL or control characters, at most {@value #MAX_TARGET_BYTES} bytes.
 *   <li>structure: no path twice; nothing below a symbolic link or a file that appeared earlier;
 *       no file or link where earlier entries already implied a directory.
 * </ul>
 *
 * <p>Pax and GNU long-name headers are judged by the name they finally give (the caller passes
 * their raw value, before commons-compress strips a leading {@code /}).
 */
public final class ArchiveEntryPolicy {
    /** The archive of the main data directory. */
    public static final String BASE = "base";
    public static final int MAX_PATH_BYTES = 1024;
    public static final int MAX_COMPONENT_BYTES = 255;
    public static final int MAX_TARGET_BYTES = 1024;

    static final String HOSTILE_HINT = "PostgreSQL never sends such an entry: check that the server is a genuine"
            + " PostgreSQL 15 or newer and that nothing between it and Cellar alters the replication connection;"
            + " the backup was abandoned and nothing of it is kept";
    static final String NAME_HINT = "rename or remove that file in the cluster's data directory (PostgreSQL never"
            + " creates such names), then take the backup again; the backup was abandoned and nothing of it is kept";

    private static final Pattern TABLESPACE_OID = Pattern.compile("[1-9][0-9]{0,9}");
    private static final Pattern TABLESPACE_LINK = Pattern.compile("pg_tblspc/[0-9]+");

    /**
     * An entry that may be stored.
     *
     * @param path   normalised: no leading {@code ./}, no trailing {@code /}
     * @param target the link target for a symbolic link, else null
     */
    public record Accepted(String path, EntryType type, String target) {
    }

    private final String archive;
    private final Map<String, EntryType> seen = new HashMap<>();
    private final Set<String> impliedDirectories = new HashSet<>();

    /** @param archive {@value #BASE} or a tablespace OID in decimal (see {@link #checkArchiveName}) */
    public ArchiveEntryPolicy(String archive) {
        this.archive = checkArchiveName(archive);
    }

    public String archive() {
        return archive;
    }

    /**
     * Checks an archive's name: {@value #BASE}, or a tablespace OID (1 to 4294967295, decimal, no
     * leading zeros), which is what PostgreSQL sends as {@code base.tar} and {@code <oid>.tar}
     * without the {@code .tar}.
     *
     * @throws CellarException ({@code INVALID_VALUE}) naming the archive
     */
    public static String checkArchiveName(String archive) {
        if (archive != null && (archive.equals(BASE)
                || TABLESPACE_OID.matcher(archive).matches() && Long.parseLong(archive) <= 0xFFFF_FFFFL)) {
            return archive;
        }
        throw new CellarException(ErrorCode.INVALID_VALUE, "invalid archive name '" + archive
                + "': expected 'base' or a tablespace OID (the name PostgreSQL sends, without '.tar')");
    }

    /**
     * Judges the next entry of the stream and, when it is accepted, remembers its path.
     *
     * @throws CellarException ({@code BACKUP_FAILED}) naming the archive, the entry and the rule
     */
    public Accepted check(TarHeader header) {
        String name = decode(header.name(), header, "its name is not valid UTF-8", NAME_HINT);
        checkCharacters(name, header, "its name", true);
        EntryType type = typeOf(header);
        String path = normalise(name, type, header);
        String target = null;
        if (type == EntryType.SYMLINK) {
            if (!archive.equals(BASE) || !TABLESPACE_LINK.matcher(path).matches()) {
                throw reject(header, "symbolic links are accepted only as pg_tblspc/<tablespace OID> in the base"
                        + " archive", HOSTILE_HINT);
            }
            target = decode(header.linkName(), header, "its link target is not valid UTF-8", HOSTILE_HINT);
            if (target.isEmpty()) {
                throw reject(header, "its link target is empty", HOSTILE_HINT);
            }
            checkCharacters(target, header, "its link target", false);
            if (header.linkName().length > MAX_TARGET_BYTES) {
                throw reject(header, "its link target is " + header.linkName().length + " bytes long, more than "
                        + MAX_TARGET_BYTES, HOSTILE_HINT);
            }
        }
        if (type != EntryType.FILE && header.size() != 0) {
            throw reject(header, "a " + (type == EntryType.DIRECTORY ? "directory" : "symbolic link")
                    + " entry must not carry data, this one has " + header.size() + " bytes", HOSTILE_HINT);
        }
        if (header.size() < 0) {
            throw reject(header, "its size is negative", HOSTILE_HINT);
        }
        checkPlacement(path, type, header);
        return new Accepted(path, type, target);
    }

    private EntryType typeOf(TarHeader header) {
        if (header.sparse()) {
            throw reject(header, "sparse files are not accepted", HOSTILE_HINT);
        }
        return switch (header.typeflag()) {
            case '0', 0 -> EntryType.FILE;
            case '5' -> EntryType.DIRECTORY;
            case '2' -> EntryType.SYMLINK;
            case '1' -> throw reject(header, "hard links are not accepted (it links to \""
                    + printable(header.linkName()) + "\")", HOSTILE_HINT);
            case '3' -> throw reject(header, "it is a character device; special files are not accepted", HOSTILE_HINT);
            case '4' -> throw reject(header, "it is a block device; special files are not accepted", HOSTILE_HINT);
            case '6' -> throw reject(header, "it is a FIFO; special files are not accepted", HOSTILE_HINT);
            case 'x', 'X', 'g', 'L', 'K' -> throw reject(header, "it is an extended header ('"
                    + (char) header.typeflag() + "') without the entry it describes", HOSTILE_HINT);
            default -> throw reject(header, "its tar entry type " + typeflag(header.typeflag())
                    + " is not accepted (only files, directories and symbolic links are)", HOSTILE_HINT);
        };
    }

    private String normalise(String name, EntryType type, TarHeader header) {
        if (name.isEmpty()) {
            throw reject(header, "its name is empty", HOSTILE_HINT);
        }
        int bytes = header.name().length;
        if (bytes > MAX_PATH_BYTES) {
            throw reject(header, "its name is " + bytes + " bytes long, more than " + MAX_PATH_BYTES, HOSTILE_HINT);
        }
        if (name.startsWith("/")) {
            throw reject(header, "its name is absolute", HOSTILE_HINT);
        }
        String path = name.startsWith("./") ? name.substring(2) : name;
        if (path.endsWith("/")) {
            if (type == EntryType.FILE) {
                throw reject(header, "a file's name must not end with '/'", HOSTILE_HINT);
            }
            path = path.substring(0, path.length() - 1);
        }
        for (String component : path.split("/", -1)) {
            if (component.equals("..")) {
                throw reject(header, "its name has a '..' component", HOSTILE_HINT);
            }
            if (component.isEmpty() || component.equals(".")) {
                throw reject(header, "its name has an empty or '.' component", HOSTILE_HINT);
            }
            int length = component.getBytes(StandardCharsets.UTF_8).length;
            if (length > MAX_COMPONENT_BYTES) {
                throw reject(header, "a component of its name is " + length + " bytes long, more than "
                        + MAX_COMPONENT_BYTES, HOSTILE_HINT);
            }
        }
        return path;
    }

    private void checkPlacement(String path, EntryType type, TarHeader header) {
        int slash = path.indexOf('/');
        while (slash >= 0) {
            String parent = path.substring(0, slash);
            EntryType parentType = seen.get(parent);
            if (parentType == EntryType.SYMLINK) {
                throw reject(header, "it lies below the symbolic link \"" + parent + "\", which appeared earlier",
                        HOSTILE_HINT);
            }
            if (parentType == EntryType.FILE) {
                throw reject(header, "it lies below \"" + parent + "\", which is a file", HOSTILE_HINT);
            }
            slash = path.indexOf('/', slash + 1);
        }
        if (seen.containsKey(path)) {
            throw reject(header, "the archive holds this path twice", HOSTILE_HINT);
        }
        if (type != EntryType.DIRECTORY && impliedDirectories.contains(path)) {
            throw reject(header, "it is a " + (type == EntryType.FILE ? "file" : "symbolic link")
                    + " but earlier entries lie below it", HOSTILE_HINT);
        }
        seen.put(path, type);
        slash = path.indexOf('/');
        while (slash >= 0) {
            impliedDirectories.add(path.substring(0, slash));
            slash = path.indexOf('/', slash + 1);
        }
    }

    private void checkCharacters(String text, TarHeader header, String what, boolean name) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0) {
                throw reject(header, what + " contains a NUL character", HOSTILE_HINT);
            }
            if (c < 0x20 || c == 0x7f) {
                throw reject(header, what + " contains the control character U+%04X".formatted((int) c),
                        name ? NAME_HINT : HOSTILE_HINT);
            }
            if (c == '\\' && name) {
                throw reject(header, what + " contains a backslash", NAME_HINT);
            }
        }
    }

    private String decode(byte[] bytes, TarHeader header, String reason, String hint) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw reject(header, reason, hint);
        }
    }

    private CellarException reject(TarHeader header, String reason, String hint) {
        return new CellarException(ErrorCode.BACKUP_FAILED,
                "archive " + archive + ", entry \"" + printable(header.name()) + "\": " + reason, hint);
    }

    private static String typeflag(byte flag) {
        return flag >= 0x21 && flag < 0x7f ? "'" + (char) flag + "'" : "0x%02x".formatted(flag & 0xff);
    }

    /**
     * Raw name bytes for a message: valid UTF-8 as text, other bytes and control characters
     * escaped ({@code \x00}, {@code \x0a}), at most 200 characters.
     */
    static String printable(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        ByteBuffer in = ByteBuffer.wrap(bytes);
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        int i = 0;
        while (i < bytes.length && out.length() < 200) {
            int length = utf8Length(bytes[i]);
            String decoded = null;
            if (length > 0 && i + length <= bytes.length) {
                try {
                    decoded = decoder.reset().decode(in.slice(i, length)).toString();
                } catch (CharacterCodingException e) {
                    decoded = null;
                }
            }
            if (decoded == null || decoded.length() == 1 && (decoded.charAt(0) < 0x20 || decoded.charAt(0) == 0x7f)) {
                out.append("\\x%02x".formatted(bytes[i] & 0xff));
                i++;
            } else {
                out.append(decoded);
                i += length;
            }
        }
        return i < bytes.length ? out + "…" : out.toString();
    }

    private static int utf8Length(byte first) {
        int b = first & 0xff;
        if (b < 0x80) {
            return 1;
        }
        if (b >= 0xc2 && b < 0xe0) {
            return 2;
        }
        if (b >= 0xe0 && b < 0xf0) {
            return 3;
        }
        if (b >= 0xf0 && b < 0xf5) {
            return 4;
        }
        return 0;
    }
}
