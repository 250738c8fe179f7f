package dev.cellar.storage.backup;

import com.github.luben.zstd.Zstd;
import dev.cellar.core.backup.ChecksumAlgorithm;
import java.util.Objects;

/**
 * How a {@link BackupWriter} cuts, compresses and buffers a backup.
 *
 * @param chunkSize      logical bytes of file content per chunk object (the last chunk of an
 *                       archive may be smaller); 1 byte to 1 GiB, default 16 MiB
 * @param workers        threads compressing and storing chunks in parallel; default: the number
 *                       of available processors
 * @param bufferedChunks chunk buffers in memory at once: the one the parser fills plus those
 *                       waiting for or being compressed and stored; at least 1, default
 *                       {@code workers + 2}
 * @param pipeBytes      the pipe between the receive thread and the parser; default 1 MiB
 * @param fileChecksum   the checksum computed over each file's content and kept in the file index;
 *                       a base backup uses the algorithm it asked the server's manifest for, so the
 *                       two can be compared. Default CRC-32C, PostgreSQL's own default: every stored
 *                       chunk already carries its own checksums, the file checksum proves that the
 *                       file was cut into chunks and put back together intact
 */
public record BackupWriterSettings(int chunkSize, int workers, int bufferedChunks, int pipeBytes,
                                   ChecksumAlgorithm fileChecksum) {
    public static final int DEFAULT_CHUNK_SIZE = 16 * 1024 * 1024;
    public static final int MAX_CHUNK_SIZE = 1024 * 1024 * 1024;
    public static final int DEFAULT_PIPE_BYTES = 1024 * 1024;

    public BackupWriterSettings {
        if (chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) {
            throw new IllegalArgumentException("chunkSize must be between 1 and " + MAX_CHUNK_SIZE + ": " + chunkSize);
        }
        if (workers < 1 || workers > 1024) {
            throw new IllegalArgumentException("workers must be between 1 and 1024: " + workers);
        }
        if (bufferedChunks < 1 || bufferedChunks > 4096) {
            throw new IllegalArgumentException("bufferedChunks must be between 1 and 4096: " + bufferedChunks);
        }
        if (pipeBytes < 1) {
            throw new IllegalArgumentException("pipeBytes must be positive: " + pipeBytes);
        }
        Objects.requireNonNull(fileChecksum, "fileChecksum");
        if (fileChecksum == ChecksumAlgorithm.NONE) {
            throw new IllegalArgumentException("every file of a backup needs a checksum");
        }
    }

    /**
     * 16 MiB chunks, one worker per available processor, {@code workers + 2} buffered chunks, 1 MiB
     * pipe, CRC-32C file checksums.
     */
    public static BackupWriterSettings defaults() {
        int workers = Runtime.getRuntime().availableProcessors();
        return new BackupWriterSettings(DEFAULT_CHUNK_SIZE, workers, workers + 2, DEFAULT_PIPE_BYTES,
                ChecksumAlgorithm.CRC32C);
    }

    public BackupWriterSettings withChunkSize(int size) {
        return new BackupWriterSettings(size, workers, bufferedChunks, pipeBytes, fileChecksum);
    }

    /** These settings with {@code count} workers and {@code count + 2} buffered chunks. */
    public BackupWriterSettings withWorkers(int count) {
        return new BackupWriterSettings(chunkSize, count, count + 2, pipeBytes, fileChecksum);
    }

    public BackupWriterSettings withBufferedChunks(int count) {
        return new BackupWriterSettings(chunkSize, workers, count, pipeBytes, fileChecksum);
    }

    public BackupWriterSettings withPipeBytes(int bytes) {
        return new BackupWriterSettings(chunkSize, workers, bufferedChunks, bytes, fileChecksum);
    }

    public BackupWriterSettings withFileChecksum(ChecksumAlgorithm algorithm) {
        return new BackupWriterSettings(chunkSize, workers, bufferedChunks, pipeBytes, algorithm);
    }

    /**
     * The most heap the writer's buffers take, whatever the network and the store do: the pipe,
     * the chunk buffers, and one compression output buffer per worker (zstd's bound for a chunk,
     * a little more than the chunk). With the defaults on 2 processors: 1 MiB + 4 × 16 MiB +
     * 2 × 16.06 MiB ≈ 97 MiB. Not included: the file index kept until {@code finish()} (a few
     * hundred bytes per entry) and the store's own buffers.
     */
    public long memoryBound() {
        return (long) pipeBytes + (long) bufferedChunks * chunkSize + (long) workers * Zstd.compressBound(chunkSize);
    }
}
