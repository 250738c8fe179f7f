package dev.cellar.storage.backup;

import java.nio.ByteBuffer;

/**
 * Where the bytes of one archive of a BASE_BACKUP go, in the order they arrive, from
 * {@link BackupWriter#openArchive}.
 *
 * <p><b>Threading.</b> Confined to one thread (the protocol client's receive thread).
 * {@link BackupWriter#close()} from another thread aborts it: a blocked or later call then throws.
 *
 * <p><b>Blocking.</b> {@link #write} copies the bytes into a bounded pipe and blocks while the pipe
 * is full, which happens when parsing, compression or storage falls behind the network: that is
 * the back-pressure that keeps memory bounded (see {@link BackupWriterSettings#memoryBound()}).
 *
 * <p><b>Errors.</b> A failure of the archive's parser or of storing a chunk (a hostile entry, a
 * damaged stream, a full disk) is thrown by the next {@code write} or {@code close}, and by every
 * later call of the writer: the backup has failed and must be abandoned with
 * {@link BackupWriter#close()}.
 */
public interface ArchiveSink extends AutoCloseable {
    /**
     * Passes on the buffer's remaining bytes (of any length, possibly empty); the position
     * advances to the limit. The buffer may be reused once this returns.
     *
     * @throws dev.cellar.core.CellarException the backup's failure, or {@code BACKUP_FAILED} when
     *     the thread is interrupted or the writer was closed
     * @throws IllegalStateException after {@link #close()}
     */
    void write(ByteBuffer bytes);

    /**
     * Ends the archive's stream and waits until it is parsed to its end (all its chunks are then
     * queued for storing; {@link BackupWriter#finish()} waits for them). Only then may the next
     * archive be opened. Calling it again does nothing.
     *
     * @throws dev.cellar.core.CellarException ({@code BACKUP_FAILED}) when the archive is invalid
     *     (not properly terminated, a refused entry, …) or the backup failed otherwise
     */
    @Override
    void close();

    /** The archive's name: {@code base} or a tablespace OID. */
    String archive();

    /** Shorthand for writing a whole array. */
    default void write(byte[] bytes, int offset, int length) {
        write(ByteBuffer.wrap(bytes, offset, length));
    }
}
