package dev.cellar.storage.backup;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the write-back of extracted files early: once {@code threshold} bytes of a file have been
 * written since its last flush, one background thread fsyncs it while the extraction goes on.
 * Linux begins writing dirty pages back by itself only at {@code vm.dirty_background_ratio} of
 * memory (gigabytes on a large host) or after 30 s, so without this a restore writes everything
 * into the page cache at memory speed, leaves the disk idle, and then waits for it at each file's
 * final fsync; with it, the disk works while the chunks are being decoded. Durability does not
 * depend on it alone: the extraction still fsyncs every file at its end.
 *
 * <p>A failed early flush fails the file: Linux reports a write-back error to one fsync only, so
 * the file's final fsync may not see it again. {@link #completed} and {@link #check()} throw it.
 * Thread-safe.
 */
final class WriteBehind implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WriteBehind.class);

    private final long threshold;
    private final Map<Path, AtomicLong> unflushed = new ConcurrentHashMap<>();
    /** Early flushes that failed, by file. */
    private final Map<Path, IOException> failures = new ConcurrentHashMap<>();
    /** Files with a flush queued and not yet begun: one is enough, however much more is written meanwhile. */
    private final java.util.Set<Path> queued = ConcurrentHashMap.newKeySet();
    private final ExecutorService flusher = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("restore-write-behind").daemon(true).factory());

    WriteBehind(long threshold) {
        if (threshold <= 0) {
            throw new IllegalArgumentException("threshold must be positive: " + threshold);
        }
        this.threshold = threshold;
    }

    /** Told that {@code bytes} more of {@code file} were written. */
    void wrote(Path file, long bytes) {
        AtomicLong pending = unflushed.computeIfAbsent(file, f -> new AtomicLong());
        long now = pending.addAndGet(bytes);
        if (now >= threshold && pending.compareAndSet(now, 0) && queued.add(file)) {
            try {
                flusher.execute(() -> {
                    queued.remove(file);
                    flush(file);
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closed: the extraction is over or failed
            }
        }
    }

    /**
     * The file's last piece is written and its final fsync follows: nothing more to start for it.
     *
     * @throws IOException an early flush of it that failed
     */
    void completed(Path file) throws IOException {
        unflushed.remove(file);
        IOException failure = failures.get(file);
        if (failure != null) {
            throw failure;
        }
    }

    /** @throws IOException the first early flush that failed, of any file */
    void check() throws IOException {
        for (IOException failure : failures.values()) {
            throw failure;
        }
    }

    private void flush(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            channel.force(false);
        } catch (java.nio.channels.ClosedByInterruptException e) {
            // close() after the extraction: every file had its own final fsync by then
        } catch (IOException e) {
            log.debug("early flush of {} failed: {}", file, e.toString());
            failures.putIfAbsent(file, new IOException("flushing it to disk failed: " + e.getMessage(), e));
        }
    }

    /** Stops the background thread after the flushes already started (they finish quickly or fail). */
    @Override
    public void close() {
        flusher.shutdownNow();
        try {
            flusher.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
