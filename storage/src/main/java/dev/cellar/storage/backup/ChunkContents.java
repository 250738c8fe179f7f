package dev.cellar.storage.backup;

import dev.cellar.storage.codec.StoredObject;
import java.util.List;
import java.util.Objects;

/**
 * One chunk of an archive and the file ranges it holds, in order: enough to extract the chunk on
 * its own (restores may extract chunks in parallel).
 *
 * @param contentOffset where the chunk starts in the archive's content stream
 * @param ranges        the pieces of files the chunk holds, in content order; a file's piece
 *                      starts at {@link FileRange#fileOffset()} within that file
 */
public record ChunkContents(String archive, int sequence, StoredObject object, long contentOffset,
                            List<FileRange> ranges) {
    public ChunkContents {
        Objects.requireNonNull(archive, "archive");
        Objects.requireNonNull(object, "object");
        ranges = List.copyOf(ranges);
    }

    /** Logical (uncompressed) bytes of the chunk. */
    public long size() {
        return object.logicalSize();
    }

    /**
     * A piece of one file inside a chunk.
     *
     * @param fileOffset  where the piece starts within the file
     * @param chunkOffset where it starts within the chunk's logical bytes
     */
    public record FileRange(BackupEntry file, long fileOffset, int chunkOffset, int length) {
        public FileRange {
            Objects.requireNonNull(file, "file");
        }

        /** Whether this piece ends the file. */
        public boolean endsFile() {
            return fileOffset + length == file.size();
        }
    }
}
