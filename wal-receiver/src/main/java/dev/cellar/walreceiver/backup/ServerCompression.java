package dev.cellar.walreceiver.backup;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Compression done by the server before sending ({@code COMPRESSION}/{@code COMPRESSION_DETAIL} of
 * BASE_BACKUP): saves network when the server has spare CPU; Cellar then decompresses to index the
 * files and compresses chunks again with its own codec.
 *
 * @param detail PostgreSQL's detail string such as {@code level=3,workers=2}; empty for the defaults
 */
public record ServerCompression(Algorithm algorithm, String detail) {
    /** What PostgreSQL's parse_compress_specification accepts: keyword[=value] items. */
    private static final Pattern DETAIL = Pattern.compile("([a-z_]+(=[0-9a-z]+)?)(,[a-z_]+(=[0-9a-z]+)?)*|[0-9]+");

    public ServerCompression {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(detail, "detail");
        if (!detail.isEmpty() && !DETAIL.matcher(detail).matches()) {
            throw new CellarException(ErrorCode.INVALID_VALUE, "invalid server compression detail \"" + detail + "\"",
                    "write a level or keyword=value items separated by commas, such as level=3,workers=2");
        }
    }

    public enum Algorithm {
        GZIP("gzip", ".gz"),
        LZ4("lz4", ".lz4"),
        ZSTD("zstd", ".zst");

        private final String keyword;
        private final String suffix;

        Algorithm(String keyword, String suffix) {
            this.keyword = keyword;
            this.suffix = suffix;
        }

        public String keyword() {
            return keyword;
        }

        /** What the server appends to an archive's name ({@code base.tar.zst}). */
        public String archiveSuffix() {
            return suffix;
        }
    }
}
