package dev.cellar.restore.combine;

import static dev.cellar.core.backup.IncrementalFile.BLOCK_SIZE;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Synthetic relation segments for tests: pages whose content names where they come from, base
 * files, and incremental files in PostgreSQL's exact layout (basebackup.c {@code sendFile}), built
 * here byte by byte rather than with the code under test.
 */
final class Segments {

    static final String RELATION = "base/5/16384";
    private static final int TAG_BYTES = 32;

    private Segments() {
    }

    /** A page that says it is block {@code block} as stored in {@code source}, with filler that differs per page. */
    static byte[] page(String source, int block) {
        byte[] page = new byte[BLOCK_SIZE];
        byte[] tag = source.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(tag, 0, page, 0, Math.min(tag.length, TAG_BYTES));
        ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN).putInt(TAG_BYTES, block);
        int seed = source.hashCode() * 31 + block;
        for (int i = TAG_BYTES + 4; i < BLOCK_SIZE; i++) {
            seed = seed * 1_103_515_245 + 12_345;
            page[i] = (byte) (seed >>> 24);
        }
        return page;
    }

    /** Where a page came from, as {@code "<source>#<block>"}, {@code "zero"} for zeros, or "?" if unknown. */
    static String describe(byte[] page) {
        if (Arrays.equals(page, new byte[BLOCK_SIZE])) {
            return "zero";
        }
        int end = 0;
        while (end < TAG_BYTES && page[end] != 0) {
            end++;
        }
        String source = new String(page, 0, end, StandardCharsets.UTF_8);
        int block = ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN).getInt(TAG_BYTES);
        return Arrays.equals(page, page(source, block)) ? source + "#" + block : "?";
    }

    /** Writes a full segment of {@code blocks} pages of {@code source} (plus {@code extraBytes} of a torn page). */
    static Path baseFile(Path directory, String source, int blocks, int extraBytes) throws IOException {
        Path path = directory.resolve("base-" + source);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int block = 0; block < blocks; block++) {
            bytes.write(page(source, block));
        }
        bytes.write(page(source, blocks), 0, extraBytes);
        return Files.write(path, bytes.toByteArray());
    }

    /**
     * An incremental file as the server writes it: magic, num_blocks, truncation_block_length, the
     * block numbers (all uint32 little-endian), zeros up to BLCKSZ if there are blocks, then the pages.
     */
    static byte[] incrementalFile(String source, int truncationBlockLength, int... blocks) {
        int listEnd = 12 + 4 * blocks.length;
        int headerLength = blocks.length == 0 ? listEnd : (listEnd + BLOCK_SIZE - 1) / BLOCK_SIZE * BLOCK_SIZE;
        ByteBuffer file = ByteBuffer.allocate(headerLength + blocks.length * BLOCK_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        file.putInt(0xd3ae1f0d).putInt(blocks.length).putInt(truncationBlockLength);
        for (int block : blocks) {
            file.putInt(block);
        }
        file.position(headerLength);
        for (int block : blocks) {
            file.put(page(source, block));
        }
        return file.array();
    }

    /** An incremental layer of backup {@code source}, read from {@link #incrementalFile} bytes. */
    static IncrementalLayer layer(String source, int truncationBlockLength, int... blocks) {
        byte[] file = incrementalFile(source, truncationBlockLength, blocks);
        return IncrementalLayer.read(source, "base/5/INCREMENTAL.16384", new ByteArrayInputStream(file), file.length);
    }

    /** Like {@link #layer} but the stream loses its last {@code missing} bytes (negative: gains that many). */
    static IncrementalLayer damagedLayer(String source, int missing, int truncationBlockLength, int... blocks) {
        byte[] file = incrementalFile(source, truncationBlockLength, blocks);
        IncrementalLayer whole = IncrementalLayer.read(source, "base/5/INCREMENTAL.16384",
                new ByteArrayInputStream(file), file.length);
        int headerLength = whole.header().headerLength();
        byte[] pages = Arrays.copyOfRange(file, headerLength, file.length - missing);
        return new IncrementalLayer(source, whole.header(), new ByteArrayInputStream(pages));
    }
}
