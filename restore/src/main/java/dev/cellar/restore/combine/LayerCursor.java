package dev.cellar.restore.combine;

import static dev.cellar.core.backup.IncrementalFile.BLOCK_SIZE;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.backup.IncrementalFile;
import dev.cellar.core.backup.IncrementalFileNames;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * A forward-only position in one layer's pages: which page comes next and which block it holds.
 * Pages are either copied out or skipped, in order; {@link #finish()} skips the rest and checks that
 * the stream ends exactly after the last page. Not thread-safe.
 */
final class LayerCursor {

    private static final String HINT = "The stored copy of this incremental file is damaged or truncated; "
            + "verify the backup (its manifest checksums) and restore from another backup chain if it is.";

    private final String relationPath;
    private final IncrementalLayer layer;
    private final IncrementalFile header;
    private final InputStream pages;
    private int next;

    LayerCursor(String relationPath, IncrementalLayer layer) {
        this.relationPath = relationPath;
        this.layer = layer;
        this.header = layer.header();
        this.pages = layer.pages();
    }

    IncrementalFile header() {
        return header;
    }

    /** The block of the next page, or {@link Integer#MAX_VALUE} when all pages have been passed. */
    int nextBlock() {
        return next < header.blockCount() ? header.blockNumber(next) : Integer.MAX_VALUE;
    }

    /** Whether the next page holds {@code block}. */
    boolean holds(int block) {
        return nextBlock() == block;
    }

    /** Skips the pages of blocks below {@code block}: no newer source needed them. */
    void skipBelow(int block) {
        while (nextBlock() < block) {
            skipPage();
        }
    }

    /** Copies the next page into {@code buffer} at {@code offset} and moves past it. */
    void copyPage(byte[] buffer, int offset) {
        int read;
        try {
            read = pages.readNBytes(buffer, offset, BLOCK_SIZE);
        } catch (IOException e) {
            throw readFailed(e);
        }
        if (read < BLOCK_SIZE) {
            throw endedEarly();
        }
        next++;
    }

    /** Skips all remaining pages and checks that nothing follows the last one. */
    void finish() {
        while (next < header.blockCount()) {
            skipPage();
        }
        int extra;
        try {
            extra = pages.read();
        } catch (IOException e) {
            throw readFailed(e);
        }
        if (extra != -1) {
            throw new CellarException(ErrorCode.OBJECT_CORRUPT,
                    "cannot rebuild %s: %s has more bytes than its header and %d pages of %d bytes (%d)"
                            .formatted(relationPath, describe(), header.blockCount(), BLOCK_SIZE, header.fileSize()),
                    HINT);
        }
    }

    private void skipPage() {
        try {
            pages.skipNBytes(BLOCK_SIZE);
        } catch (EOFException e) {
            throw endedEarly();
        } catch (IOException e) {
            throw readFailed(e);
        }
        next++;
    }

    private CellarException endedEarly() {
        return new CellarException(ErrorCode.OBJECT_CORRUPT,
                "cannot rebuild %s: %s ends inside page %d of %d (block %d); its header promises %d bytes"
                        .formatted(relationPath, describe(), next + 1, header.blockCount(), header.blockNumber(next),
                                header.fileSize()),
                HINT);
    }

    private CellarException readFailed(IOException e) {
        return new CellarException(ErrorCode.STORAGE_FAILED,
                "cannot rebuild %s: reading %s failed: %s".formatted(relationPath, describe(), e.getMessage()),
                "Check that the repository is reachable and readable, then retry.", e);
    }

    /** "the incremental file base/5/INCREMENTAL.16384 of backup X". */
    String describe() {
        return "the incremental file %s of backup %s".formatted(incrementalPath(relationPath), layer.backupId());
    }

    /** {@code base/5/16384} → {@code base/5/INCREMENTAL.16384} (for messages; any path is accepted). */
    static String incrementalPath(String relationPath) {
        int slash = relationPath.lastIndexOf('/');
        return relationPath.substring(0, slash + 1) + IncrementalFileNames.PREFIX + relationPath.substring(slash + 1);
    }
}
