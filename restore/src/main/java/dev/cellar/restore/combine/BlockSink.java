package dev.cellar.restore.combine;

import static dev.cellar.core.backup.IncrementalFile.BLOCK_SIZE;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.backup.FileChecksum;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/**
 * Writes the reconstructed segment block by block through a fixed buffer, feeding the same bytes to
 * the checksum. Consecutive blocks taken from the base are read with one positional read per run.
 * Memory: one buffer of {@link #BUFFER_BLOCKS} blocks. Not thread-safe.
 */
final class BlockSink {

    /** 1 MiB: large reads and writes, small enough to run many reconstructions in parallel. */
    static final int BUFFER_BLOCKS = 128;

    private final String relationPath;
    private final BaseFile base;
    private final FileChannel baseChannel;
    private final FileChannel out;
    private final FileChecksum checksum;
    private final byte[] buffer = new byte[BUFFER_BLOCKS * BLOCK_SIZE];
    private int filled;
    private long size;
    private int runStart;
    private int runBlocks;
    private int runOffset;
    private int layerBlocks;
    private int baseBlocks;
    private int zeroBlocks;

    BlockSink(String relationPath, BaseFile base, FileChannel baseChannel, FileChannel out, FileChecksum checksum) {
        this.relationPath = relationPath;
        this.base = base;
        this.baseChannel = baseChannel;
        this.out = out;
        this.checksum = checksum;
    }

    /** Appends block {@code block} of the base file. */
    void fromBase(int block) throws IOException {
        // Output block n is base block n, so a run also stays contiguous in the buffer.
        if (runBlocks == 0 || runStart + runBlocks != block) {
            readRun();
            runStart = block;
            runOffset = filled;
        }
        runBlocks++;
        baseBlocks++;
        advance();
    }

    /** Appends the next page of {@code layer}. */
    void fromLayer(LayerCursor layer) throws IOException {
        layer.copyPage(buffer, filled);
        layerBlocks++;
        advance();
    }

    /** Appends a block of zeros. */
    void zero() throws IOException {
        Arrays.fill(buffer, filled, filled + BLOCK_SIZE, (byte) 0);
        zeroBlocks++;
        advance();
    }

    /** Writes what is buffered and fsyncs the output; returns the output's size. */
    long finish() throws IOException {
        flush();
        out.force(true);
        return size;
    }

    int layerBlocks() {
        return layerBlocks;
    }

    int baseBlocks() {
        return baseBlocks;
    }

    int zeroBlocks() {
        return zeroBlocks;
    }

    private void advance() throws IOException {
        filled += BLOCK_SIZE;
        if (filled == buffer.length) {
            flush();
        }
    }

    private void flush() throws IOException {
        readRun();
        checksum.update(buffer, 0, filled);
        ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, filled);
        while (bytes.hasRemaining()) {
            out.write(bytes);
        }
        size += filled;
        filled = 0;
    }

    private void readRun() {
        if (runBlocks == 0) {
            return;
        }
        ByteBuffer target = ByteBuffer.wrap(buffer, runOffset, runBlocks * BLOCK_SIZE);
        long position = (long) runStart * BLOCK_SIZE;
        while (target.hasRemaining()) {
            int read;
            try {
                read = baseChannel.read(target, position);
            } catch (IOException e) {
                throw new CellarException(ErrorCode.STORAGE_FAILED,
                        "cannot rebuild %s: reading the base copy from backup %s (%s) failed: %s"
                                .formatted(relationPath, base.backupId(), base.path(), e),
                        "Check that the unpacked base file is readable, then retry.", e);
            }
            if (read < 0) {
                throw new CellarException(ErrorCode.STORAGE_FAILED,
                        "cannot rebuild %s: the base copy from backup %s (%s) ended at byte %d while being read"
                                .formatted(relationPath, base.backupId(), base.path(), position),
                        "Something changed the unpacked file during the restore; make sure nothing else writes "
                                + "to the restore destination, then retry.");
            }
            position += read;
        }
        runBlocks = 0;
    }
}
