package dev.cellar.storage.backup;

import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.function.LongConsumer;
import java.util.function.Predicate;

/**
 * How {@link BackupFiles#extractArchive(String, java.nio.file.Path, Extraction)} extracts an
 * archive in parallel.
 *
 * @param executor  extracts the chunks (not shut down by the extraction)
 * @param zeroed    files created sparse and zero-filled of their size instead of extracted, their
 *                  chunks not read when nothing else in them is wanted (a selective restore's
 *                  excluded databases)
 * @param written   told of file bytes as they are written (zeroed files count whole), from any thread
 * @param syncFiles fsync each file as soon as its last byte is written, by the thread that wrote it,
 *                  so flushing to disk overlaps unpacking instead of following it
 */
public record Extraction(ExecutorService executor, Predicate<BackupEntry> zeroed, LongConsumer written,
                         boolean syncFiles) {
    public Extraction {
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(zeroed, "zeroed");
        Objects.requireNonNull(written, "written");
    }

    /** Every file extracted, nothing reported, nothing synced. */
    public static Extraction on(ExecutorService executor) {
        return new Extraction(executor, entry -> false, bytes -> { }, false);
    }

    public Extraction zeroing(Predicate<BackupEntry> predicate) {
        return new Extraction(executor, predicate, written, syncFiles);
    }

    public Extraction reporting(LongConsumer consumer) {
        return new Extraction(executor, zeroed, consumer, syncFiles);
    }

    public Extraction syncingFiles(boolean value) {
        return new Extraction(executor, zeroed, written, value);
    }
}
