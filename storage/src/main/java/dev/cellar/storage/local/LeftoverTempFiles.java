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
 * Names temporary files and removes those that interrupted puts left under a store's root.
 *
 * <p>Another process may have the same repository open (a {@code backupctl list} beside the
 * running server), and its temporary files are in use. Each temporary name therefore carries the
 * writer's process id ({@code .tmp-<pid>-<random>}): a file whose writer is no longer alive on this
 * host is removed at once (the common case after a crash or {@code kill -9}); a file whose pid is
 * alive (or was reused) is removed only when untouched for {@link #GRACE}, since a put writes its
 * temporary file continuously and a live one is always recent.
 */
final class LeftoverTempFiles {
    static final Duration GRACE = Duration.ofMinutes(15);

    private static final Logger log = LoggerFactory.getLogger(LeftoverTempFiles.class);

    private LeftoverTempFiles() {
    }

    private static final long OWN_PID = ProcessHandle.current().pid();

    /** A new temporary file name for a put by this process. */
    static String newTempName() {
        return ObjectKey.RESERVED_PREFIX + OWN_PID + "-"
                + java.util.HexFormat.of().toHexDigits(java.util.concurrent.ThreadLocalRandom.current().nextLong());
    }

    /** Whether the process that named {@code fileName} can no longer be writing it. */
    static boolean writerIsGone(String fileName) {
        String rest = fileName.substring(ObjectKey.RESERVED_PREFIX.length());
        int dash = rest.indexOf('-');
        if (dash <= 0) {
            return false;
        }
        try {
            long pid = Long.parseLong(rest.substring(0, dash));
            return pid != OWN_PID && ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
        } catch (NumberFormatException e) {
            return false;
        }
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
                    if (writerIsGone(file.getFileName().toString())
                            || attributes.lastModifiedTime().toInstant().isBefore(cutoff)) {
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
