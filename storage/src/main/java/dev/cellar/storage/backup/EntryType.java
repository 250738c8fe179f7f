package dev.cellar.storage.backup;

import java.util.Locale;

/** What an archive entry is. PostgreSQL's archives hold nothing else (see {@link ArchiveEntryPolicy}). */
public enum EntryType {
    FILE, DIRECTORY, SYMLINK;

    /** The name in the file index: {@code file}, {@code directory}, {@code symlink}. */
    public String indexName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type named {@code name} in the file index, or null. */
    static EntryType fromIndexName(String name) {
        for (EntryType type : values()) {
            if (type.indexName().equals(name)) {
                return type;
            }
        }
        return null;
    }
}
