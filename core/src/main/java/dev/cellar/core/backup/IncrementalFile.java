package dev.cellar.core.backup;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The header of a PostgreSQL 17+ incremental relation file ({@code INCREMENTAL.<relfile>}): which
 * blocks of one relation segment the file holds. Layout (basebackup.c {@code sendFile},
 * pg_combinebackup reconstruct.c {@code make_incremental_rfile}), every number a {@code uint32} in
 * the server's byte order:
 *
 * <pre>
 *  0  magic 0xd3ae1f0d
 *  4  num_blocks               at most RELSEG_SIZE
 *  8  truncation_block_length  at most RELSEG_SIZE
 * 12  num_blocks block numbers, relative to the segment, strictly ascending, each below RELSEG_SIZE
 *  …  zeros up to the next multiple of BLCKSZ, only if num_blocks &gt; 0
 *  H  num_blocks pages of BLCKSZ bytes, in the order of the list
 * </pre>
 *
 * so the file is exactly {@link #headerLength(int)} + num_blocks × BLCKSZ bytes, and page {@code i}
 * starts at {@link #pageOffset(int)}. Cellar reads little-endian files only (servers on x86-64 and
 * ARM64); a big-endian file is refused with a message saying so. BLCKSZ and RELSEG_SIZE are
 * PostgreSQL's defaults (8 kB pages, 1 GB segments); servers built with other sizes are not supported.
 *
 * <p>A reader needs only the header: read {@link #FIXED_HEADER_LENGTH} bytes, ask
 * {@link #headerBytesToRead(byte[], String)} how many bytes the block list needs, read those, then
 * {@link #parseHeader(byte[], long, String)}.
 *
 * <p>Immutable: the block numbers are copied in and out ({@link #blockNumber(int)} reads one without
 * copying). {@code equals} compares their contents.
 *
 * @param truncationBlockLength the minimum length in blocks of the reconstructed segment: blocks
 *                              below it that the file lacks come from older backups
 * @param blockNumbers          the blocks the file holds, relative to the segment
 */
public record IncrementalFile(int truncationBlockLength, int[] blockNumbers) {

    /** {@code INCREMENTAL_MAGIC} (basebackup_incremental.h). */
    public static final int MAGIC = 0xd3ae1f0d;
    /** PostgreSQL's default page size, {@code BLCKSZ}. */
    public static final int BLOCK_SIZE = 8192;
    /** Blocks per relation segment file with PostgreSQL's default 1 GB segments, {@code RELSEG_SIZE}. */
    public static final int RELSEG_SIZE = 131072;
    /** Magic, block count and truncation length: the bytes before the block list. */
    public static final int FIXED_HEADER_LENGTH = 12;

    private static final String HINT = "An incremental file is written by the PostgreSQL server and must be used "
            + "exactly as received; if this one is damaged, take a new backup.";

    /**
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} if a value breaks a rule of the layout
     * @throws NullPointerException if {@code blockNumbers} is null
     */
    public IncrementalFile {
        blockNumbers = blockNumbers.clone();
        Optional<String> problem = problem(Integer.toUnsignedLong(truncationBlockLength), blockNumbers);
        if (problem.isPresent()) {
            throw new CellarException(ErrorCode.INVALID_VALUE, "invalid incremental file header: " + problem.get());
        }
    }

    private static Optional<String> problem(long truncationBlockLength, int[] blocks) {
        if (blocks.length > RELSEG_SIZE) {
            return Optional.of("it lists %d blocks, more than the %d of a segment".formatted(blocks.length, RELSEG_SIZE));
        }
        if (truncationBlockLength > RELSEG_SIZE) {
            // Early 17.x servers could write this (fixed in 2025, see pg_combinebackup's
            // t/011_ib_truncation.pl); pg_combinebackup refuses such a file too.
            return Optional.of("the truncation block length %d exceeds the %d blocks of a segment"
                    .formatted(truncationBlockLength, RELSEG_SIZE));
        }
        for (int i = 0; i < blocks.length; i++) {
            long block = Integer.toUnsignedLong(blocks[i]);
            if (block >= RELSEG_SIZE) {
                return Optional.of("block number %d (entry %d) is not below the %d blocks of a segment"
                        .formatted(block, i, RELSEG_SIZE));
            }
            if (i > 0 && blocks[i] <= blocks[i - 1]) {
                return Optional.of("block numbers are not strictly ascending: entry %d is %d after %d"
                        .formatted(i, blocks[i], blocks[i - 1]));
            }
        }
        return Optional.empty();
    }

    /**
     * The header length for {@code blockCount} blocks ({@code GetIncrementalHeaderSize}):
     * 12 + 4 × count, rounded up to a multiple of {@link #BLOCK_SIZE} when count &gt; 0.
     *
     * @throws IllegalArgumentException if {@code blockCount} is outside 0..{@link #RELSEG_SIZE}
     */
    public static int headerLength(int blockCount) {
        requireBlockCount(blockCount);
        int length = FIXED_HEADER_LENGTH + Integer.BYTES * blockCount;
        if (blockCount > 0 && length % BLOCK_SIZE != 0) {
            length += BLOCK_SIZE - length % BLOCK_SIZE;
        }
        return length;
    }

    /** The size of an incremental file with {@code blockCount} blocks ({@code GetIncrementalFileSize}). */
    public static long fileSize(int blockCount) {
        return headerLength(blockCount) + (long) BLOCK_SIZE * blockCount;
    }

    /**
     * How many bytes from the start of the file {@link #parseHeader} needs: the fixed part plus the
     * block list, 12 + 4 × num_blocks (the padding after it need not be read).
     *
     * @param fixedHeader at least the first {@link #FIXED_HEADER_LENGTH} bytes of the file
     * @param path        the file's path, for messages
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} if the bytes are too few, the magic is
     *                         wrong or the block count is too large
     */
    public static int headerBytesToRead(byte[] fixedHeader, String path) {
        Objects.requireNonNull(path, "path");
        ByteBuffer buffer = fixed(ByteBuffer.wrap(fixedHeader), path);
        return FIXED_HEADER_LENGTH + Integer.BYTES * blockCount(buffer, path);
    }

    /** {@link #parseHeader(ByteBuffer, long, String)} of the bytes of an array, from its start. */
    public static IncrementalFile parseHeader(byte[] header, long fileSize, String path) {
        return parseHeader(ByteBuffer.wrap(header), fileSize, path);
    }

    /**
     * Parses and checks the header of an incremental file.
     *
     * @param header   the file's first bytes, from the buffer's position: at least
     *                 {@link #headerBytesToRead} of them; any padding bytes included are checked to be zero.
     *                 The buffer itself is not moved.
     * @param fileSize the file's size, which must be exactly header length + pages
     * @param path     the file's path, for messages
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} naming the path and the problem
     */
    public static IncrementalFile parseHeader(ByteBuffer header, long fileSize, String path) {
        Objects.requireNonNull(path, "path");
        ByteBuffer buffer = fixed(header.slice(), path);
        int count = blockCount(buffer, path);
        long truncation = Integer.toUnsignedLong(buffer.getInt(8));
        int listEnd = FIXED_HEADER_LENGTH + Integer.BYTES * count;
        if (buffer.remaining() < listEnd) {
            throw invalid(path, "the header lists %d blocks and needs %d bytes, but only %d were given"
                    .formatted(count, listEnd, buffer.remaining()));
        }
        int[] blocks = new int[count];
        for (int i = 0; i < count; i++) {
            blocks[i] = buffer.getInt(FIXED_HEADER_LENGTH + Integer.BYTES * i);
        }
        Optional<String> problem = problem(truncation, blocks);
        if (problem.isPresent()) {
            throw invalid(path, problem.get());
        }
        int headerLength = headerLength(count);
        for (int i = listEnd; i < Math.min(headerLength, buffer.limit()); i++) {
            if (buffer.get(i) != 0) {
                throw invalid(path, "the padding after the block list is not zero at byte %d".formatted(i));
            }
        }
        long expectedSize = fileSize(count);
        if (fileSize != expectedSize) {
            throw invalid(path, "the file has %d bytes, but a header of %d bytes and %d pages of %d bytes make %d"
                    .formatted(fileSize, headerLength, count, BLOCK_SIZE, expectedSize));
        }
        return new IncrementalFile((int) truncation, blocks);
    }

    private static ByteBuffer fixed(ByteBuffer buffer, String path) {
        if (buffer.remaining() < FIXED_HEADER_LENGTH) {
            throw invalid(path, "it has only %d bytes, but an incremental file starts with a %d-byte header"
                    .formatted(buffer.remaining(), FIXED_HEADER_LENGTH));
        }
        buffer.order(ByteOrder.LITTLE_ENDIAN);
        int magic = buffer.getInt(0);
        if (magic != MAGIC) {
            if (Integer.reverseBytes(magic) == MAGIC) {
                throw invalid(path, "it was written by a big-endian server; Cellar reads incremental files of "
                        + "little-endian servers (x86-64, ARM64) only");
            }
            throw invalid(path, "bad magic number 0x%08x (expected 0x%08x): not an incremental file"
                    .formatted(magic, MAGIC));
        }
        return buffer;
    }

    private static int blockCount(ByteBuffer buffer, String path) {
        long count = Integer.toUnsignedLong(buffer.getInt(4));
        if (count > RELSEG_SIZE) {
            throw invalid(path, "it lists %d blocks, more than the %d of a segment".formatted(count, RELSEG_SIZE));
        }
        return (int) count;
    }

    private static void requireBlockCount(int blockCount) {
        if (blockCount < 0 || blockCount > RELSEG_SIZE) {
            throw new IllegalArgumentException("block count %d is outside 0..%d".formatted(blockCount, RELSEG_SIZE));
        }
    }

    /** How many blocks the file holds ({@code num_blocks}). */
    public int blockCount() {
        return blockNumbers.length;
    }

    /** The block numbers; a copy. */
    @Override
    public int[] blockNumbers() {
        return blockNumbers.clone();
    }

    /** The block number of the {@code index}th page. */
    public int blockNumber(int index) {
        return blockNumbers[index];
    }

    /** The index of {@code block} in the list, or empty if the file does not hold it. */
    public OptionalInt indexOf(int block) {
        int index = Arrays.binarySearch(blockNumbers, block);
        return index >= 0 ? OptionalInt.of(index) : OptionalInt.empty();
    }

    /** The header length of this file, where its first page starts. */
    public int headerLength() {
        return headerLength(blockNumbers.length);
    }

    /** The size this file must have. */
    public long fileSize() {
        return fileSize(blockNumbers.length);
    }

    /**
     * The offset of the {@code index}th page in the file.
     *
     * @throws IndexOutOfBoundsException if there is no such page
     */
    public long pageOffset(int index) {
        Objects.checkIndex(index, blockNumbers.length);
        return headerLength() + (long) index * BLOCK_SIZE;
    }

    /**
     * The length in blocks of the segment rebuilt from this file ({@code find_reconstructed_block_length}):
     * the truncation block length, or one past the highest block held if that is larger.
     */
    public int reconstructedBlockLength() {
        int last = blockNumbers.length == 0 ? -1 : blockNumbers[blockNumbers.length - 1];
        return Math.max(truncationBlockLength, last + 1);
    }

    /** The header bytes as a little-endian server writes them, padding included. */
    public byte[] header() {
        ByteBuffer buffer = ByteBuffer.allocate(headerLength()).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(MAGIC).putInt(blockNumbers.length).putInt(truncationBlockLength);
        for (int block : blockNumbers) {
            buffer.putInt(block);
        }
        return buffer.array();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof IncrementalFile that
                && truncationBlockLength == that.truncationBlockLength && Arrays.equals(blockNumbers, that.blockNumbers);
    }

    @Override
    public int hashCode() {
        return 31 * truncationBlockLength + Arrays.hashCode(blockNumbers);
    }

    @Override
    public String toString() {
        return "IncrementalFile[truncationBlockLength=%d, %d blocks%s]".formatted(truncationBlockLength,
                blockNumbers.length, blockNumbers.length <= 16 ? " " + Arrays.toString(blockNumbers) : "");
    }

    private static CellarException invalid(String path, String problem) {
        return new CellarException(ErrorCode.INVALID_VALUE, "invalid incremental file %s: %s".formatted(path, problem), HINT);
    }
}
