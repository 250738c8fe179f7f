package dev.cellar.restore.wal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * One WAL or history file being read from the repository. Reading {@code content} to its end
 * verifies it (a damaged object throws {@link dev.cellar.core.CellarException} with
 * {@link dev.cellar.core.ErrorCode#OBJECT_CORRUPT}); {@code sha256} lets a receiver elsewhere
 * verify the bytes it got. Close it when done; not thread-safe.
 *
 * @param fileName the name recovery asked for
 * @param sha256   lower-case hex SHA-256 of the whole content
 * @param content  the logical (decompressed) bytes
 */
public record ArchivedWalFile(String fileName, String sha256, InputStream content) implements AutoCloseable {
    public ArchivedWalFile {
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(content, "content");
    }

    @Override
    public void close() throws IOException {
        content.close();
    }
}
