package dev.cellar.restore.combine;

import static dev.cellar.core.backup.IncrementalFile.BLOCK_SIZE;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.backup.ChecksumAlgorithm;
import dev.cellar.core.backup.FileChecksum;
import dev.cellar.core.backup.IncrementalFile;
import dev.cellar.core.backup.ManifestChecksums;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds a full relation segment from its base copy and the incremental files of newer backups,
 * as pg_combinebackup does (reconstruct.c {@code reconstruct_from_incremental_file}).
 *
 * <p>Rules, all taken from reconstruct.c; "newest" is the last layer, {@code T} its
 * {@code truncation_block_length}:
 * <ul>
 *   <li>The result has {@code max(T, highest block of the newest layer + 1)} blocks
 *       ({@code find_reconstructed_block_length}); older layers and the base never lengthen it.</li>
 *   <li>A block the newest layer holds comes from it, even at or beyond {@code T}.</li>
 *   <li>A block below {@code T} comes from the newest older layer that holds it, else from the base
 *       if the base is long enough, else it is zeros (extended but never WAL-logged).</li>
 *   <li>A block at or beyond {@code T} that the newest layer lacks is zeros, whatever older layers
 *       or the base hold: only the newest layer's truncation length counts, older ones are ignored.</li>
 *   <li>A base whose size is not a multiple of {@link IncrementalFile#BLOCK_SIZE} contributes its
 *       whole blocks only ({@code st_size / BLCKSZ}); the partial tail is ignored, with a warning.</li>
 *   <li>No full copy anywhere in the chain is an error (current pg_combinebackup: "full backup
 *       contains unexpected incremental file"; a missing file in a prior backup fails too).</li>
 *   <li>If no layer supplies a block and the base is exactly {@code T} blocks long, the result is
 *       the base itself ({@code copy_source}): nothing is written, and a manifest checksum of the
 *       base in the wanted algorithm is reused.</li>
 * </ul>
 *
 * <p>I/O: the base is read with positional reads; every layer stream is read strictly forward,
 * skipping pages a newer source overrides, and always to its end, which must come exactly after its
 * last page. Memory stays at one 1 MiB buffer whatever the segment size. Stateless and thread-safe;
 * each call blocks until the output is written and fsynced.
 */
public final class BlockReconstruction {

    private static final Logger log = LoggerFactory.getLogger(BlockReconstruction.class);

    private BlockReconstruction() {
    }

    /**
     * Rebuilds one relation segment.
     *
     * @param relationPath the segment's path in the data directory, e.g. {@code base/5/16384.1}, for messages
     * @param base         the full copy from the newest backup of the chain that holds one; {@code null}
     *                     when no backup of the chain does, which is always an error
     * @param layers       the incremental files of every backup newer than the base, oldest first; not empty
     * @param output       where to write the result; must not exist (the caller renames it into place
     *                     and fsyncs the directory). Created with mode 0600 where POSIX permissions
     *                     exist. Not created when the result is {@link ReconstructedFile#baseUnchanged()};
     *                     deleted again if reconstruction fails.
     * @param algorithm    the checksum to compute over the result
     * @return the result's size and checksum, and whether it is the base unchanged
     * @throws CellarException {@link ErrorCode#OBJECT_CORRUPT} when an input is damaged or missing
     *                         (a layer stream too short or too long, no full copy in the chain);
     *                         {@link ErrorCode#STORAGE_FAILED} when reading or writing fails
     * @throws IllegalArgumentException if {@code layers} is empty
     */
    public static ReconstructedFile reconstruct(String relationPath, BaseFile base, List<IncrementalLayer> layers,
                                                Path output, ChecksumAlgorithm algorithm) {
        Objects.requireNonNull(relationPath, "relationPath");
        Objects.requireNonNull(layers, "layers");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(algorithm, "algorithm");
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("no incremental layers for " + relationPath + ": nothing to reconstruct");
        }
        List<LayerCursor> cursors = new ArrayList<>(layers.size());
        for (IncrementalLayer layer : layers) {
            cursors.add(new LayerCursor(relationPath, Objects.requireNonNull(layer, "layer")));
        }
        if (base == null) {
            throw new CellarException(ErrorCode.OBJECT_CORRUPT,
                    "cannot rebuild %s: no backup of the chain holds a full copy of it; even the oldest, %s, has only %s"
                            .formatted(relationPath, layers.getFirst().backupId(), LayerCursor.incrementalPath(relationPath)),
                    "A full backup holds every relation file whole, so this chain is damaged; restore from another "
                            + "backup chain.");
        }
        try (FileChannel baseChannel = FileChannel.open(base.path(), StandardOpenOption.READ)) {
            return reconstruct(relationPath, base, baseChannel, cursors, output, algorithm);
        } catch (IOException e) {
            throw new CellarException(ErrorCode.STORAGE_FAILED,
                    "cannot rebuild %s: reading the base copy from backup %s (%s) failed: %s"
                            .formatted(relationPath, base.backupId(), base.path(), e),
                    "Check that the unpacked base file exists and is readable, then retry.", e);
        }
    }

    private static ReconstructedFile reconstruct(String relationPath, BaseFile base, FileChannel baseChannel,
                                                 List<LayerCursor> cursors, Path output, ChecksumAlgorithm algorithm)
            throws IOException {
        long baseSize = baseChannel.size();
        if (baseSize % BLOCK_SIZE != 0) {
            log.warn("the base copy of {} from backup {} has {} bytes, not a whole number of {}-byte blocks; "
                    + "its last {} bytes are ignored, as pg_combinebackup does", relationPath, base.backupId(),
                    baseSize, BLOCK_SIZE, baseSize % BLOCK_SIZE);
        }
        IncrementalFile newest = cursors.getLast().header();
        if (!anyLayerSuppliesABlock(cursors) && baseSize == (long) newest.truncationBlockLength() * BLOCK_SIZE) {
            for (LayerCursor cursor : cursors) {
                cursor.finish();
            }
            log.debug("{}: unchanged since backup {} ({} blocks)", relationPath, base.backupId(),
                    newest.truncationBlockLength());
            return new ReconstructedFile(baseSize, algorithm, baseChecksum(base, baseChannel, algorithm), true);
        }
        FileChannel out;
        try {
            out = FileChannel.open(output, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    ownerOnly(output));
        } catch (IOException e) {
            throw new CellarException(ErrorCode.STORAGE_FAILED,
                    "cannot rebuild %s: cannot create %s: %s".formatted(relationPath, output, e),
                    "The output must be a new file in a writable directory; remove leftovers of an earlier "
                            + "attempt, then retry.", e);
        }
        boolean done = false;
        try (out) {
            FileChecksum checksum = ManifestChecksums.start(algorithm);
            BlockSink sink = new BlockSink(relationPath, base, baseChannel, out, checksum);
            copyBlocks(cursors, (int) Math.min(baseSize / BLOCK_SIZE, Integer.MAX_VALUE), sink);
            for (LayerCursor cursor : cursors) {
                cursor.finish();
            }
            long size = sink.finish();
            log.debug("{}: rebuilt {} blocks: {} from incremental files, {} from backup {}, {} zero-filled",
                    relationPath, size / BLOCK_SIZE, sink.layerBlocks(), sink.baseBlocks(), base.backupId(),
                    sink.zeroBlocks());
            done = true;
            return new ReconstructedFile(size, algorithm, checksum.hex(), false);
        } catch (IOException e) {
            throw new CellarException(ErrorCode.STORAGE_FAILED,
                    "cannot rebuild %s: writing %s failed: %s".formatted(relationPath, output, e),
                    "Check free space and permissions of the restore destination, then retry.", e);
        } finally {
            if (!done) {
                deleteQuietly(output);
            }
        }
    }

    /** Whether a block of the result comes from a layer: any in the newest, or any below T in an older one. */
    private static boolean anyLayerSuppliesABlock(List<LayerCursor> cursors) {
        IncrementalFile newest = cursors.getLast().header();
        if (newest.blockCount() > 0) {
            return true;
        }
        for (LayerCursor cursor : cursors) {
            if (cursor.nextBlock() < newest.truncationBlockLength()) {
                return true;
            }
        }
        return false;
    }

    /** Writes the result block by block; see the class comment for where each block comes from. */
    private static void copyBlocks(List<LayerCursor> cursors, int baseBlocks, BlockSink sink) throws IOException {
        LayerCursor newest = cursors.getLast();
        int truncation = newest.header().truncationBlockLength();
        int length = newest.header().reconstructedBlockLength();
        for (int block = 0; block < length; block++) {
            for (LayerCursor cursor : cursors) {
                cursor.skipBelow(block);
            }
            if (newest.holds(block)) {
                sink.fromLayer(newest);
            } else if (block >= truncation) {
                sink.zero();
            } else {
                LayerCursor older = newestHolding(cursors, block);
                if (older != null) {
                    sink.fromLayer(older);
                } else if (block < baseBlocks) {
                    sink.fromBase(block);
                } else {
                    sink.zero();
                }
            }
        }
    }

    private static LayerCursor newestHolding(List<LayerCursor> cursors, int block) {
        for (int i = cursors.size() - 2; i >= 0; i--) {
            if (cursors.get(i).holds(block)) {
                return cursors.get(i);
            }
        }
        return null;
    }

    private static String baseChecksum(BaseFile base, FileChannel baseChannel, ChecksumAlgorithm algorithm)
            throws IOException {
        if (algorithm == ChecksumAlgorithm.NONE) {
            return "";
        }
        if (base.manifestAlgorithm() == algorithm) {
            return base.manifestChecksumHex();
        }
        FileChecksum checksum = ManifestChecksums.start(algorithm);
        ByteBuffer buffer = ByteBuffer.allocate(BlockSink.BUFFER_BLOCKS * BLOCK_SIZE);
        long position = 0;
        int read;
        while ((read = baseChannel.read(buffer, position)) >= 0) {
            position += read;
            buffer.flip();
            checksum.update(buffer);
            buffer.clear();
        }
        return checksum.hex();
    }

    private static FileAttribute<?>[] ownerOnly(Path output) {
        Path parent = output.toAbsolutePath().getParent();
        boolean posix = (parent == null ? FileSystems.getDefault() : parent.getFileSystem())
                .supportedFileAttributeViews().contains("posix");
        return posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
    }

    private static void deleteQuietly(Path output) {
        try {
            Files.deleteIfExists(output);
        } catch (IOException e) {
            log.warn("could not remove the unfinished reconstruction {}: {}", output, e.toString());
        }
    }
}
