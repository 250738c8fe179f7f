package dev.cellar.core.backup;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which paths of a PostgreSQL 17+ incremental backup are incremental files, and what they rebuild.
 *
 * <p>The server sends a relation segment incrementally as {@code INCREMENTAL.<name>} in the same
 * directory (basebackup.c {@code sendDir}), and only for relation files in relation directories:
 * {@code global/}, {@code base/<db oid>/} and a tablespace's {@code <db oid>/} directory, which a
 * data-directory path names {@code pg_tblspc/<tablespace oid>/PG_<version>_<catversion>/<db oid>/}.
 * A relation file name is {@code <relfilenumber>[_fsm|_vm|_init][.<segment>]}, with numbers that
 * do not start with 0 ({@code parse_filename_for_nontemp_relation}).
 *
 * <p>Paths are {@code /}-separated and relative to the data directory, as in the manifest. The rule
 * is the server's; pg_combinebackup is looser (any {@code INCREMENTAL.*} under {@code base/},
 * {@code global} or {@code pg_tblspc/}), a difference only a file created by hand could expose.
 */
public final class IncrementalFileNames {

    /** The prefix of an incremental file's name ({@code INCREMENTAL_PREFIX}). */
    public static final String PREFIX = "INCREMENTAL.";

    private static final String NUMBER = "[1-9][0-9]{0,9}";
    private static final Pattern RELATION_DIRECTORY = Pattern.compile(
            "global|base/[0-9]+|pg_tblspc/" + NUMBER + "/PG_[^/]+/[0-9]+");
    private static final Pattern RELATION_FILE = Pattern.compile(NUMBER + "(?:_(?:fsm|vm|init))?(?:\\." + NUMBER + ")?");
    private static final long MAX_OID = 0xFFFF_FFFFL;

    private IncrementalFileNames() {
    }

    /** Whether {@code path} is an incremental file the server could have written. */
    public static boolean isIncremental(String path) {
        return reconstructedPath(path).isPresent();
    }

    /**
     * The path of the file an incremental file rebuilds: {@code base/5/INCREMENTAL.16384.1} →
     * {@code base/5/16384.1}; empty if {@code path} is not an incremental file.
     */
    public static Optional<String> reconstructedPath(String path) {
        Objects.requireNonNull(path, "path");
        int slash = path.lastIndexOf('/');
        String name = path.substring(slash + 1);
        if (slash < 0 || !name.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String target = path.substring(0, slash + 1) + name.substring(PREFIX.length());
        return isRelationFile(target) ? Optional.of(target) : Optional.empty();
    }

    /**
     * The path under which the server sends {@code relationFile} incrementally
     * ({@code GetIncrementalFilePath}): {@code base/5/16384} → {@code base/5/INCREMENTAL.16384}.
     *
     * @throws IllegalArgumentException if {@code relationFile} is not a relation file (see {@link #isRelationFile})
     */
    public static String incrementalPath(String relationFile) {
        if (!isRelationFile(relationFile)) {
            throw new IllegalArgumentException("\"%s\" is not a relation file in a relation directory, so it is never sent incrementally"
                    .formatted(relationFile));
        }
        int slash = relationFile.lastIndexOf('/');
        return relationFile.substring(0, slash + 1) + PREFIX + relationFile.substring(slash + 1);
    }

    /** Whether {@code path} is a relation segment file in a relation directory (see the class comment). */
    public static boolean isRelationFile(String path) {
        Objects.requireNonNull(path, "path");
        int slash = path.lastIndexOf('/');
        if (slash < 0) {
            return false;
        }
        String directory = path.substring(0, slash);
        String name = path.substring(slash + 1);
        return RELATION_DIRECTORY.matcher(directory).matches() && RELATION_FILE.matcher(name).matches()
                && numbersFitOid(name);
    }

    // The relfilenumber and segment number are uint32s: strtoul(...) > PG_UINT32_MAX is no relation file.
    private static boolean numbersFitOid(String name) {
        for (String part : name.split("[_.]")) {
            if (!part.isEmpty() && Character.isDigit(part.charAt(0)) && Long.parseLong(part) > MAX_OID) {
                return false;
            }
        }
        return true;
    }
}
