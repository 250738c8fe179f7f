package dev.cellar.storage.io;

import java.io.IOException;

/**
 * A stream's bytes differ from what its reader was told to expect (size or checksum). An
 * {@link IOException} so that it can surface from {@code read}; stores turn it into a failed put.
 */
public final class ContentMismatchException extends IOException {
    private static final long serialVersionUID = 1L;

    public ContentMismatchException(String message) {
        super(message);
    }
}
