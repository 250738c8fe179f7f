package dev.cellar.storage.backup;

import com.github.luben.zstd.RecyclingBufferPool;
import com.github.luben.zstd.ZstdInputStream;
import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorInputStream;

/**
 * An archive's name as given to {@link BackupWriter#openArchive}: the bare name ({@code base},
 * {@code 16390}) or the name PostgreSQL sends ({@code base.tar}, {@code 16390.tar}, with
 * {@code .gz}, {@code .lz4} or {@code .zst} when the server compresses), which says how the
 * stream is compressed.
 *
 * @param archive the bare name, checked by {@link ArchiveEntryPolicy#checkArchiveName}
 */
record ArchiveName(String archive, Compression compression) {
    /** How the server compressed the archive stream ({@code COMPRESSION} of BASE_BACKUP). */
    enum Compression {
        NONE(""), GZIP(".gz"), LZ4(".lz4"), ZSTD(".zst");

        final String suffix;

        Compression(String suffix) {
            this.suffix = suffix;
        }

        /** The decompressed stream; decoding runs on the thread that reads it (the parser's). */
        InputStream wrap(InputStream compressed) throws IOException {
            return switch (this) {
                case NONE -> compressed;
                case GZIP -> new GZIPInputStream(compressed, 64 * 1024);
                case LZ4 -> new FramedLZ4CompressorInputStream(compressed);
                case ZSTD -> new ZstdInputStream(compressed, RecyclingBufferPool.INSTANCE);
            };
        }
    }

    /** @throws CellarException ({@code INVALID_VALUE}) naming the accepted forms */
    static ArchiveName parse(String name) {
        if (name != null) {
            for (Compression compression : Compression.values()) {
                String suffix = ".tar" + compression.suffix;
                if (name.endsWith(suffix)) {
                    String bare = name.substring(0, name.length() - suffix.length());
                    return new ArchiveName(check(name, bare), compression);
                }
            }
        }
        return new ArchiveName(check(name, name), Compression.NONE);
    }

    private static String check(String name, String bare) {
        try {
            return ArchiveEntryPolicy.checkArchiveName(bare);
        } catch (CellarException e) {
            throw new CellarException(ErrorCode.INVALID_VALUE, "invalid archive name '" + name + "': expected 'base' or"
                    + " a tablespace OID, optionally with '.tar' and '.gz', '.lz4' or '.zst' as PostgreSQL sends it");
        }
    }
}
