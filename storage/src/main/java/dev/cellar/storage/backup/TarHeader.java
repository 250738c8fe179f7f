package dev.cellar.storage.backup;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One tar entry's header as {@link ArchiveEntryPolicy} judges it: the final name and link name as
 * raw bytes (after any pax or GNU long-name header was applied, but before any normalisation),
 * the type flag, the content size and whether the entry is sparse.
 *
 * @param name raw bytes of the name, expected to be UTF-8
 * @param typeflag the tar type flag: {@code '0'} file, {@code '5'} directory, {@code '2'} symlink, …
 * @param linkName raw bytes of the link target; empty when there is none
 * @param size bytes of content that follow the header
 * @param sparse whether the entry is a GNU or pax sparse file
 */
public record TarHeader(byte[] name, byte typeflag, byte[] linkName, long size, boolean sparse) {
    public TarHeader {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(linkName, "linkName");
    }

    /** A header with UTF-8 text for name and link name; for tests and for re-checking an index. */
    public static TarHeader of(String name, char typeflag, String linkName, long size) {
        return new TarHeader(name.getBytes(StandardCharsets.UTF_8), (byte) typeflag,
                linkName.getBytes(StandardCharsets.UTF_8), size, false);
    }
}
