package dev.cellar.walreceiver.backup;

import java.nio.ByteBuffer;

/**
 * Receives the CopyOut stream of a BASE_BACKUP as {@link BaseBackupExchange} decodes it. All calls
 * come from the receiving thread, in stream order. The buffers are views of the connection's read
 * buffer, valid only during the call: copy what must outlive it.
 *
 * <p>A sink that throws aborts the backup: the exchange cancels the server's command and rethrows.
 */
public interface BaseBackupSink {

    /**
     * The server's start position and tablespaces are known; no archive data has arrived yet.
     */
    void started(BaseBackupStart start);

    /**
     * A new archive begins (the previous one, if any, has ended).
     *
     * @param name           as the server names it: {@code base.tar}, {@code 16385.tar}, with a
     *                       compression suffix when the server compresses
     * @param tablespacePath the tablespace's location, empty for the main data directory
     */
    void archiveStarted(String name, String tablespacePath);

    /** Bytes of the current archive. */
    void archiveData(ByteBuffer bytes);

    /** The current archive is complete (sent before the manifest, the next archive, or the end). */
    void archiveEnded();

    /** Bytes of backup_manifest, which follows every archive. */
    void manifestData(ByteBuffer bytes);

    /**
     * Bytes sent so far, as the server counts them (before its own compression), at least every
     * second while data flows and at the end of every archive.
     */
    default void progress(long bytesDone) {
    }
}
