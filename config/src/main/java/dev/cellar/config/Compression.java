package dev.cellar.config;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;

/**
 * How stored WAL and backup data are compressed: {@code none}, or zstd at a level (1..22) with an
 * optional number of worker threads (0 = compress on the calling thread).
 */
public record Compression(Codec codec, int level, int workers) {
    public static final int DEFAULT_ZSTD_LEVEL = 3;
    public static final int MAX_ZSTD_LEVEL = 22;
    /** zstd's own limit on worker threads (ZSTDMT_NBWORKERS_MAX on 64-bit platforms). */
    public static final int MAX_WORKERS = 200;
    public static final Compression NONE = new Compression(Codec.NONE, 0, 0);

    public enum Codec {
        NONE, ZSTD;

        /** The word as written in configuration, e.g. {@code zstd}. */
        public String keyword() {
            return Choices.keyword(this);
        }
    }

    /** @throws CellarException ({@code INVALID_VALUE}) when the level or workers do not fit the codec */
    public Compression {
        if (codec == Codec.NONE && (level != 0 || workers != 0)) {
            throw invalid("none", "level and workers apply to zstd only");
        }
        if (codec == Codec.ZSTD && (level < 1 || level > MAX_ZSTD_LEVEL)) {
            throw invalid("zstd:" + level, "level must be between 1 and " + MAX_ZSTD_LEVEL);
        }
        if (workers < 0 || workers > MAX_WORKERS) {
            throw invalid(codec.keyword(), "workers must be between 0 and " + MAX_WORKERS + ", got " + workers);
        }
    }

    /**
     * The short form {@code none}, {@code zstd} (level {@value #DEFAULT_ZSTD_LEVEL}) or
     * {@code zstd:N}; no workers.
     *
     * @throws CellarException ({@code INVALID_VALUE}) quoting the text and the accepted forms
     */
    public static Compression parse(String text) {
        if (text.equals("none")) {
            return NONE;
        }
        if (text.equals("zstd")) {
            return new Compression(Codec.ZSTD, DEFAULT_ZSTD_LEVEL, 0);
        }
        if (text.startsWith("zstd:")) {
            String level = text.substring("zstd:".length());
            if (!level.matches("\\d{1,3}")) {
                throw invalid(text, "level must be a whole number between 1 and " + MAX_ZSTD_LEVEL);
            }
            return new Compression(Codec.ZSTD, Integer.parseInt(level), 0);
        }
        throw invalid(text, "expected none, zstd or zstd:N with N from 1 to " + MAX_ZSTD_LEVEL);
    }

    /** The short form, as {@link #parse} reads it (workers are not part of it). */
    public String shortForm() {
        return codec == Codec.NONE ? "none" : "zstd:" + level;
    }

    private static CellarException invalid(String text, String reason) {
        return new CellarException(ErrorCode.INVALID_VALUE, "invalid compression '" + text + "': " + reason);
    }
}
