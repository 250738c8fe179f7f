package dev.cellar.storage.local;

import dev.cellar.storage.ObjectKey;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes the temporary files that interrupted puts left under a store's root. Only files untouched
 * for {@link #GRACE} are removed: another process may have the same repository open (a
 * {@code backupctl list} beside the running server), and its temporary files are in use. A put
 * writes its temporary file continuously, so a live one is always recent.
 */
final class LeftoverTempFiles {
    static final Duration GRACE = Duration.ofMinutes(15);

    private static final Logger log = LoggerFactory.getLogger(LeftoverTempFiles.class);

    private LeftoverTempFiles() {
    }

    /** @return how many files were removed */
    static int remove(Path root, Instant now) throws IOException {
        Instant cutoff = now.minus(GRACE);
        int[] removed = {0};
        int[] kept = {0};
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                if (attributes.isRegularFile() && file.getFileName().toString().startsWith(ObjectKey.RESERVED_PREFIX)) {
                    if (attributes.lastModifiedTime().toInstant().isBefore(cutoff)) {
                        delete(file);
                    } else {
                        kept[0]++;
                    }
                }
                return FileVisitResult.CONTINUE;
            }

            private void delete(Path file) {
                try {
                    Files.deleteIfExists(file);
                    removed[0]++;
                } catch (IOException e) {
                    // Harmless where it is (never listed); the next open tries again.
                    log.warn("cannot remove leftover temporary file {}: {}", file, e.toString());
                }
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                log.warn("cannot look for leftover temporary files in {}: {}", file, e.toString());
                return FileVisitResult.CONTINUE;
            }
        });
        if (removed[0] > 0) {
            log.info("removed {} temporary files left by interrupted writes under {}", removed[0], root);
        }
        if (kept[0] > 0) {
            log.info("kept {} temporary files under {} modified within the last {} minutes: they may belong to"
                    + " a write in progress in another process", kept[0], root, GRACE.toMinutes());
        }
        return removed[0];
    }
}
