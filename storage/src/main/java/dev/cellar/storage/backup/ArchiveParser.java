package dev.cellar.storage.backup;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.backup.ChecksumAlgorithm;
import dev.cellar.core.backup.FileChecksum;
import dev.cellar.core.backup.ManifestChecksums;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * Parses one archive on its own thread: reads the tar stream from the pipe (decompressing it when
 * the server compressed it), judges every entry
 * with {@link ArchiveEntryPolicy} before reading any of its content, hashes each file, and copies
 * the content straight from the pipe into chunk buffers, handing each full buffer to
 * {@link Chunks#submit}. Its results ({@link #entries()}, {@link #chunkCount()},
 * {@link #contentSize()}) may be read once {@link #awaitDone()} returned.
 */
final class ArchiveParser implements Runnable {
    /** Where full chunks go (the writer's worker pool) and where failures are reported. */
    interface Chunks {
        /** Stores the chunk asynchronously; takes over {@code buffer}, which goes back to the pool. */
        void submit(String archive, int sequence, byte[] buffer, int length) throws IOException;

        /** Records the backup's failure (the first one counts) and wakes every thread. */
        void fail(CellarException failure);
    }

    private final String archive;
    private final ArchiveName.Compression compression;
    private final String context;
    private final StreamPipe pipe;
    private final ChunkBufferPool buffers;
    private final int chunkSize;
    private final Chunks chunks;
    private final AtomicLong contentProgress;
    private final ArchiveEntryPolicy policy;
    private final ChecksumAlgorithm checksumAlgorithm;
    private final List<BackupEntry> entries = new ArrayList<>();
    private final CountDownLatch done = new CountDownLatch(1);
    private byte[] buffer;
    private int fill;
    private int sequence;
    private long contentSize;
    private String lastPath;
    private TarReader tar;

    /**
     * @param context         {@code cluster c1, backup b1}, the start of every message
     * @param contentProgress counts content bytes parsed, for progress reports
     */
    ArchiveParser(ArchiveName name, String context, StreamPipe pipe, ChunkBufferPool buffers, int chunkSize,
                  ChecksumAlgorithm checksumAlgorithm, Chunks chunks, AtomicLong contentProgress) {
        this.checksumAlgorithm = checksumAlgorithm;
        this.archive = name.archive();
        this.compression = name.compression();
        this.context = context;
        this.pipe = pipe;
        this.buffers = buffers;
        this.chunkSize = chunkSize;
        this.chunks = chunks;
        this.contentProgress = contentProgress;
        this.policy = new ArchiveEntryPolicy(archive);
    }

    @Override
    public void run() {
        try {
            parse();
        } catch (CellarException e) {
            chunks.fail(new CellarException(e.code(), context + ": " + e.getMessage(), e.hint().orElse(null), e));
        } catch (StreamPipe.BrokenPipeException e) {
            // The backup already failed or was abandoned; that failure is recorded.
            chunks.fail(new CellarException(ErrorCode.BACKUP_FAILED, context + ": archive " + archive + ": "
                    + e.getMessage()));
        } catch (InterruptedIOException e) {
            chunks.fail(new CellarException(ErrorCode.BACKUP_FAILED, context + ": archive " + archive
                    + ": the parser was interrupted", null, e));
        } catch (IOException e) {
            chunks.fail(new CellarException(ErrorCode.BACKUP_FAILED, context + ": archive " + archive
                    + ": the " + (compression == ArchiveName.Compression.NONE ? "" : "decompressed ")
                    + "tar stream is invalid at byte " + (tar == null ? 0 : tar.offset())
                    + (lastPath == null ? "" : " (after entry \"" + lastPath + "\")") + ": " + e.getMessage(),
                    "the stream from the server was damaged or is not a PostgreSQL base backup; the backup was"
                            + " abandoned and nothing of it is kept", e));
        } catch (RuntimeException | Error e) {
            chunks.fail(new CellarException(ErrorCode.INTERNAL, context + ": archive " + archive
                    + ": the parser failed unexpectedly: " + e, null, e));
        } finally {
            if (buffer != null) {
                buffers.release(buffer);
                buffer = null;
            }
            done.countDown();
        }
    }

    private void parse() throws IOException {
        // Closing releases a decompressor's native memory; the pipe's input needs no closing.
        try (java.io.InputStream archiveStream = compression.wrap(pipe.input())) {
            tar = TarReader.over(archiveStream);
            for (TarReader.Entry next = tar.next(); next != null; next = tar.next()) {
                ArchiveEntryPolicy.Accepted accepted = policy.check(next.header());
                TarArchiveEntry entry = next.entry();
                int mode = entry.getMode() & 07777;
                long mtime = entry.getLastModifiedTime().toInstant().getEpochSecond();
                if (accepted.type() == EntryType.FILE) {
                    long offset = contentSize;
                    String checksum = copyContent(next.header().size(), accepted.path());
                    entries.add(new BackupEntry(archive, accepted.path(), EntryType.FILE, mode, mtime,
                            next.header().size(), checksum, null, offset));
                } else {
                    entries.add(new BackupEntry(archive, accepted.path(), accepted.type(), mode, mtime, 0, null,
                            accepted.target(), -1));
                }
                lastPath = accepted.path();
            }
        }
        // A decompressor may stop at the end of its first frame or member with bytes still in the
        // pipe: read them all, or the receive thread would block on a full pipe forever.
        long trailing = pipe.input().transferTo(java.io.OutputStream.nullOutputStream());
        if (trailing > 0) {
            throw new TarReader.TarFormatException(trailing + " bytes follow the end of the " + compression.name()
                    .toLowerCase(java.util.Locale.ROOT) + "-compressed archive");
        }
        if (buffer != null && fill > 0) {
            submit();
        }
    }

    /** Copies one file's content into chunks, checksumming it on the way; returns its checksum. */
    private String copyContent(long size, String path) throws IOException {
        FileChecksum checksum = ManifestChecksums.start(checksumAlgorithm);
        long remaining = size;
        while (remaining > 0) {
            if (buffer == null) {
                buffer = buffers.take();
                fill = 0;
            }
            int n = tar.read(buffer, fill, (int) Math.min(remaining, chunkSize - fill));
            if (n < 0) {
                throw new TarReader.TarFormatException("the archive ends inside the content of \"" + path + "\"");
            }
            checksum.update(buffer, fill, n);
            fill += n;
            remaining -= n;
            contentSize += n;
            contentProgress.addAndGet(n);
            if (fill == chunkSize) {
                submit();
            }
        }
        return checksum.hex();
    }

    private void submit() throws IOException {
        byte[] full = buffer;
        buffer = null;
        chunks.submit(archive, sequence++, full, fill);
        fill = 0;
    }

    /** Waits until the parser has finished, successfully or not; uninterruptible. */
    void awaitDone() {
        boolean interrupted = false;
        while (true) {
            try {
                done.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    String archive() {
        return archive;
    }

    List<BackupEntry> entries() {
        return entries;
    }

    int chunkCount() {
        return sequence;
    }

    long contentSize() {
        return contentSize;
    }
}
