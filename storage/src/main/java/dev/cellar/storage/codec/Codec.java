package dev.cellar.storage.codec;

import com.github.luben.zstd.RecyclingBufferPool;
import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * How an object's logical bytes are encoded into its stored bytes. {@link #spec()} is what the
 * repository records beside each object, and {@link #parse} reads it back. Codecs are immutable
 * and thread-safe; the streams they wrap are not.
 */
public sealed interface Codec permits Codec.None, Codec.Zstd {
    /** The codec that stores bytes as they are. */
    Codec NONE = new None();

    /**
     * Reads {@code none}, {@code zstd} (level {@value Zstd#DEFAULT_LEVEL}) or {@code zstd:N} (N from
     * 1 to {@value Zstd#MAX_LEVEL}); the same forms as the {@code compression} setting. Workers are
     * a runtime choice and not part of the text: use {@link Zstd#withWorkers}.
     *
     * @throws CellarException ({@code INVALID_VALUE}) quoting the text and the accepted forms
     */
    static Codec parse(String text) {
        if (text.equals("none")) {
            return NONE;
        }
        if (text.equals("zstd")) {
            return new Zstd(Zstd.DEFAULT_LEVEL, 0);
        }
        if (text.startsWith("zstd:") && text.substring(5).matches("\\d{1,2}")) {
            int level = Integer.parseInt(text.substring(5));
            if (level >= 1 && level <= Zstd.MAX_LEVEL) {
                return new Zstd(level, 0);
            }
        }
        throw new CellarException(ErrorCode.INVALID_VALUE, "invalid codec '" + text + "': expected none, zstd or zstd:N"
                + " with N from 1 to " + Zstd.MAX_LEVEL);
    }

    /** The text {@link #parse} reads: {@code none} or {@code zstd:3}. */
    String spec();

    /** The file name suffix of objects stored with this codec: {@code ""} or {@code .zst}. */
    String fileSuffix();

    /**
     * An encoder: bytes written to it reach {@code stored} encoded. Closing it completes the
     * encoding and closes {@code stored}; an encoder that is not closed produces a truncated object.
     */
    OutputStream wrap(OutputStream stored) throws IOException;

    /**
     * A decoder of {@code stored}, whose bytes it reads as far as it needs. Closing it closes
     * {@code stored}. Corrupt input fails a read with an {@link IOException}.
     */
    InputStream wrap(InputStream stored) throws IOException;

    /** Stored bytes are the logical bytes. */
    record None() implements Codec {
        @Override
        public String spec() {
            return "none";
        }

        @Override
        public String fileSuffix() {
            return "";
        }

        @Override
        public OutputStream wrap(OutputStream stored) {
            return stored;
        }

        @Override
        public InputStream wrap(InputStream stored) {
            return stored;
        }
    }

    /**
     * Zstandard frames, each with zstd's own content checksum, so that {@code zstd -t} can check a
     * stored object without Cellar.
     *
     * @param level 1 (fastest) to {@value #MAX_LEVEL} (smallest)
     * @param workers threads compressing in parallel; 0 compresses on the calling thread. Decoding
     *     is always single-threaded.
     */
    record Zstd(int level, int workers) implements Codec {
        public static final int DEFAULT_LEVEL = 3;
        public static final int MAX_LEVEL = 22;
        /** zstd's limit on worker threads (ZSTDMT_NBWORKERS_MAX on 64-bit platforms). */
        public static final int MAX_WORKERS = 200;

        /** @throws CellarException ({@code INVALID_VALUE}) when level or workers are out of range */
        public Zstd {
            if (level < 1 || level > MAX_LEVEL) {
                throw new CellarException(ErrorCode.INVALID_VALUE,
                        "invalid zstd level " + level + ": it must be between 1 and " + MAX_LEVEL);
            }
            if (workers < 0 || workers > MAX_WORKERS) {
                throw new CellarException(ErrorCode.INVALID_VALUE,
                        "invalid zstd workers " + workers + ": it must be between 0 and " + MAX_WORKERS);
            }
        }

        /** This codec compressing with that many worker threads. */
        public Zstd withWorkers(int count) {
            return new Zstd(level, count);
        }

        @Override
        public String spec() {
            return "zstd:" + level;
        }

        @Override
        public String fileSuffix() {
            return ".zst";
        }

        @Override
        public OutputStream wrap(OutputStream stored) throws IOException {
            // Parameters are validated above, so setting them cannot fail half-way.
            return new ZstdOutputStream(stored, RecyclingBufferPool.INSTANCE)
                    .setLevel(level).setWorkers(workers).setChecksum(true);
        }

        @Override
        public InputStream wrap(InputStream stored) throws IOException {
            return new ZstdInputStream(stored, RecyclingBufferPool.INSTANCE);
        }
    }
}
