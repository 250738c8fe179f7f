package dev.cellar.config;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Compression the PostgreSQL server applies to base backup data before sending it
 * ({@code server_compression}): {@code none}, or {@code gzip}, {@code lz4} or {@code zstd}, each
 * optionally followed by {@code :} and PostgreSQL's detail string ({@code zstd:level=3,workers=2},
 * {@code gzip:5}). Worth it when the network, not the server's CPU, is the bottleneck.
 *
 * @param detail as PostgreSQL's COMPRESSION_DETAIL takes it; empty for the server's defaults
 */
public record ServerCompression(String algorithm, String detail) {
    private static final Pattern DETAIL = Pattern.compile("[0-9]+|[a-z_]+(=[0-9a-z]+)?(,[a-z_]+(=[0-9a-z]+)?)*");

    public ServerCompression {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(detail, "detail");
    }

    /**
     * Parses the configuration value; empty for {@code none}.
     *
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} naming what is accepted
     */
    public static Optional<ServerCompression> parse(String text) {
        String value = text.trim().toLowerCase(Locale.ROOT);
        if (value.equals("none")) {
            return Optional.empty();
        }
        int colon = value.indexOf(':');
        String algorithm = colon < 0 ? value : value.substring(0, colon);
        String detail = colon < 0 ? "" : value.substring(colon + 1);
        if (!algorithm.equals("gzip") && !algorithm.equals("lz4") && !algorithm.equals("zstd")) {
            throw new CellarException(ErrorCode.INVALID_VALUE, "unknown server compression '" + text
                    + "': use none, gzip, lz4 or zstd, optionally with :detail such as zstd:level=3,workers=2");
        }
        if (colon >= 0 && !DETAIL.matcher(detail).matches()) {
            throw new CellarException(ErrorCode.INVALID_VALUE, "invalid server compression detail '" + detail
                    + "' in '" + text + "': write a level (zstd:3) or keyword=value items (zstd:level=3,workers=2)");
        }
        return Optional.of(new ServerCompression(algorithm, detail));
    }

    @Override
    public String toString() {
        return detail.isEmpty() ? algorithm : algorithm + ":" + detail;
    }
}
