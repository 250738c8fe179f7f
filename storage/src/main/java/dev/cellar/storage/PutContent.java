package dev.cellar.storage;

import dev.cellar.storage.io.ChecksummingInputStream;
import dev.cellar.storage.io.ContentMismatchException;
import dev.cellar.storage.io.ExpectedSizeInputStream;
import java.io.InputStream;

/**
 * The content of one {@link ObjectStore#put}, checked against its {@link WriteOptions} while it is
 * read: a size overrun fails at once, a short stream at its end, a checksum after the end. For
 * store implementations: read {@link #stream()} to its end, call {@link #checkComplete()}, and only
 * then publish. Not thread-safe.
 */
public final class PutContent {
    private final WriteOptions options;
    private final ChecksummingInputStream stream;

    public PutContent(InputStream source, WriteOptions options) {
        this.options = options;
        InputStream sized = options.expectedSize().isPresent()
                ? new ExpectedSizeInputStream(source, options.expectedSize().getAsLong())
                : source;
        this.stream = new ChecksummingInputStream(sized);
    }

    /** The bytes to store. Closing it closes the caller's stream, so implementations must not. */
    public InputStream stream() {
        return stream;
    }

    /** @throws ContentMismatchException when the bytes read do not have the expected SHA-256 */
    public void checkComplete() throws ContentMismatchException {
        String actual = stream.sha256Hex();
        if (options.expectedSha256().isPresent() && !options.expectedSha256().get().equals(actual)) {
            throw new ContentMismatchException("the stream's SHA-256 is " + actual + ", "
                    + options.expectedSha256().get() + " was expected");
        }
    }

    /** Bytes read so far. */
    public long size() {
        return stream.count();
    }

    /** Lower-case hex SHA-256 of the bytes read so far. */
    public String sha256() {
        return stream.sha256Hex();
    }
}
