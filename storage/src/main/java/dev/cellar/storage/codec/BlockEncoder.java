package dev.cellar.storage.codec;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.util.Objects;

/**
 * Encodes whole blocks held in memory (a backup chunk) in one call, straight from the caller's
 * array into an output array this encoder reuses: no streams, no intermediate buffers. The result
 * is a complete object in the codec's format, readable by {@link Codec#wrap(java.io.InputStream)}
 * (for zstd: one frame with its content size and content checksum).
 *
 * <p>Zstd blocks are compressed on the calling thread whatever {@link Codec.Zstd#workers()} says:
 * callers get their parallelism by encoding several blocks at once, one encoder per thread.
 *
 * <p>Not thread-safe: one encoder per thread. It holds native memory (a zstd context) and an output
 * array of {@link #maxOutputSize()} bytes until {@link #close()}.
 */
public final class BlockEncoder implements AutoCloseable {
    /** A view of encoded bytes, valid until the next {@link #encode} or {@link #close}. */
    public record Encoded(byte[] array, int offset, int length) {
    }

    private final Codec codec;
    private final int maxBlockSize;
    private final ZstdCompressCtx zstd;
    private final byte[] output;

    /**
     * @param maxBlockSize the largest block {@link #encode} accepts
     */
    public BlockEncoder(Codec codec, int maxBlockSize) {
        this.codec = Objects.requireNonNull(codec, "codec");
        if (maxBlockSize < 0) {
            throw new IllegalArgumentException("maxBlockSize must not be negative: " + maxBlockSize);
        }
        this.maxBlockSize = maxBlockSize;
        if (codec instanceof Codec.Zstd z) {
            long bound = Zstd.compressBound(maxBlockSize);
            if (bound > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("maxBlockSize too large for one array: " + maxBlockSize);
            }
            this.zstd = new ZstdCompressCtx().setLevel(z.level()).setChecksum(true).setContentSize(true);
            this.output = new byte[(int) bound];
        } else {
            this.zstd = null;
            this.output = null;
        }
    }

    public Codec codec() {
        return codec;
    }

    /** The largest encoded size of a block, and the size of the output array this encoder holds. */
    public int maxOutputSize() {
        return output == null ? maxBlockSize : output.length;
    }

    /**
     * Encodes {@code length} bytes of {@code block} from {@code offset}. For {@link Codec#NONE} the
     * result is the caller's own array slice (no copy).
     *
     * @throws CellarException ({@code STORAGE_FAILED}) when the encoder fails
     */
    public Encoded encode(byte[] block, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, block.length);
        if (length > maxBlockSize) {
            throw new IllegalArgumentException("block of " + length + " bytes exceeds this encoder's maximum of "
                    + maxBlockSize);
        }
        if (zstd == null) {
            return new Encoded(block, offset, length);
        }
        try {
            int n = zstd.compressByteArray(output, 0, output.length, block, offset, length);
            return new Encoded(output, 0, n);
        } catch (RuntimeException e) { // ZstdException: out of memory in the native library, say
            throw new CellarException(ErrorCode.STORAGE_FAILED, "cannot compress a block of " + length + " bytes with "
                    + codec.spec() + ": " + e.getMessage(), null, e);
        }
    }

    @Override
    public void close() {
        if (zstd != null) {
            zstd.close();
        }
    }
}
