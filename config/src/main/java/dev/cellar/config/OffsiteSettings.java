package dev.cellar.config;

import java.util.Objects;

/** Where the repository is copied off site ({@code offsite:}); S3 is the only kind so far. */
public record OffsiteSettings(S3Settings s3) {
    public OffsiteSettings {
        Objects.requireNonNull(s3, "s3");
    }
}
