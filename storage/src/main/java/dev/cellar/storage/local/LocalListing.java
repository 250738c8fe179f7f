package dev.cellar.storage.local;

import dev.cellar.core.CellarException;
import dev.cellar.storage.ObjectInfo;
import dev.cellar.storage.ObjectKey;
import dev.cellar.storage.ObjectPage;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One page of a local store's listing, produced by a depth-first walk that visits keys already in
 * {@link ObjectKey#ORDER} and stops as soon as the page is full.
 *
 * <p>Why a walk can be sorted without collecting everything: sibling entries sort by their name,
 * with {@code /} appended to directory names. Every key under directory {@code d} starts with
 * {@code d/}, and no sibling's key can start with {@code d/} (names contain no {@code /}), so the
 * sibling order decides the order of all keys beneath them. Subtrees wholly before
 * {@code startAfter} or outside the prefix are skipped without being read.
 *
 * <p>Temporary files, symbolic links and names that are not valid keys are not listed.
 */
final class LocalListing {
    private static final Logger log = LoggerFactory.getLogger(LocalListing.class);

    private record Entry(String name, Path path, BasicFileAttributes attributes) {
    }

    private final String prefix;
    private final Optional<String> startAfter;
    private final int pageSize;
    private final List<ObjectInfo> found = new ArrayList<>();

    private LocalListing(String prefix, Optional<String> startAfter, int pageSize) {
        this.prefix = prefix;
        this.startAfter = startAfter;
        this.pageSize = pageSize;
    }

    static ObjectPage page(LocalTree tree, String prefix, Optional<String> startAfter, int pageSize) throws IOException {
        // Start in the deepest directory the prefix names in full: "wal/0000" starts in "wal".
        int slash = prefix.lastIndexOf('/');
        String directoryKey = prefix.substring(0, slash + 1);
        List<String> segments = slash < 0 ? List.of() : Arrays.asList(prefix.substring(0, slash).split("/"));
        LocalListing listing = new LocalListing(prefix, startAfter, pageSize);
        Optional<Path> start = tree.existingDirectory("prefix " + prefix, segments);
        if (start.isPresent()) {
            listing.walk(start.get(), directoryKey);
        }
        return listing.result();
    }

    private ObjectPage result() {
        if (found.size() <= pageSize) {
            return new ObjectPage(found, Optional.empty());
        }
        List<ObjectInfo> page = found.subList(0, pageSize);
        return new ObjectPage(page, Optional.of(page.get(pageSize - 1).key().value()));
    }

    /** @return whether the page is full (one object more than the page size was found) */
    private boolean walk(Path directory, String directoryKey) throws IOException {
        for (Entry entry : sortedEntries(directory)) {
            String key = directoryKey + entry.name();
            if (entry.attributes().isDirectory()) {
                if (mayHoldMatches(key) && walk(entry.path(), key)) {
                    return true;
                }
            } else if (key.startsWith(prefix) && isAfterStart(key) && isValidKey(key, entry.path())) {
                found.add(new ObjectInfo(ObjectKey.of(key), entry.attributes().size(), Optional.empty(),
                        entry.attributes().lastModifiedTime().toInstant()));
                if (found.size() > pageSize) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Entries sorted as their keys sort: directories by their name with a '/' appended. */
    private static List<Entry> sortedEntries(Path directory) throws IOException {
        List<Entry> entries = new ArrayList<>();
        try (DirectoryStream<Path> children = Files.newDirectoryStream(directory)) {
            for (Path child : children) {
                String name = child.getFileName().toString();
                if (name.startsWith(ObjectKey.RESERVED_PREFIX)) {
                    continue;
                }
                BasicFileAttributes attributes;
                try {
                    attributes = Files.readAttributes(child, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException e) {
                    continue; // deleted while we looked
                }
                if (attributes.isDirectory()) {
                    entries.add(new Entry(name + "/", child, attributes));
                } else if (attributes.isRegularFile()) {
                    entries.add(new Entry(name, child, attributes));
                }
            }
        } catch (NoSuchFileException e) {
            return List.of(); // removed while we walked
        }
        entries.sort(Comparator.comparing(Entry::name, ObjectKey.ORDER));
        return entries;
    }

    /** Whether keys under this directory key ("a/b/") can match the prefix and follow startAfter. */
    private boolean mayHoldMatches(String directoryKey) {
        if (!directoryKey.startsWith(prefix) && !prefix.startsWith(directoryKey)) {
            return false;
        }
        // All keys under d/ sort before startAfter when startAfter is past d/ but not inside it.
        return startAfter.isEmpty()
                || ObjectKey.ORDER.compare(directoryKey, startAfter.get()) >= 0
                || startAfter.get().startsWith(directoryKey);
    }

    private boolean isAfterStart(String key) {
        return startAfter.isEmpty() || ObjectKey.ORDER.compare(key, startAfter.get()) > 0;
    }

    private static boolean isValidKey(String key, Path path) {
        try {
            ObjectKey.of(key);
            return true;
        } catch (CellarException e) {
            log.warn("not listing {}: its name is not a valid object key ({})", path, e.getMessage());
            return false;
        }
    }
}
