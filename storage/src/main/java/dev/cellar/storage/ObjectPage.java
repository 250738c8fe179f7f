package dev.cellar.storage;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One page of a listing, in {@link ObjectKey#ORDER}.
 *
 * @param objects the objects of this page; may be empty
 * @param nextStartAfter the {@code startAfter} for the next page, or empty when this is the last
 *     page. A store may return a non-empty continuation whose next page is empty (S3 does when the
 *     page was exactly full); callers just ask once more.
 */
public record ObjectPage(List<ObjectInfo> objects, Optional<String> nextStartAfter) {
    public ObjectPage {
        objects = List.copyOf(objects);
        Objects.requireNonNull(nextStartAfter, "nextStartAfter");
    }

    /**
     * For store implementations: checks a requested page size.
     *
     * @throws IllegalArgumentException unless it is 1 to {@value ObjectStore#MAX_PAGE_SIZE}
     */
    public static int checkPageSize(int pageSize) {
        if (pageSize < 1 || pageSize > ObjectStore.MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("page size must be between 1 and " + ObjectStore.MAX_PAGE_SIZE + ": " + pageSize);
        }
        return pageSize;
    }

    /** Whether another page may follow. */
    public boolean hasMore() {
        return nextStartAfter.isPresent();
    }
}
