package dev.cellar.config;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * An S3 bucket (AWS or compatible) holding the off-site copy ({@code offsite.s3:}). Without keys the
 * client uses its default credential chain (instance profile, web identity, environment).
 *
 * @param prefix prepended to every object name; empty for the bucket's root
 * @param endpoint for S3-compatible stores; empty for AWS
 * @param pathStyle address the bucket as {@code endpoint/bucket} rather than {@code bucket.endpoint}
 */
public record S3Settings(String bucket, String prefix, Optional<URI> endpoint, Optional<String> region,
        Optional<Secret> accessKeyId, Optional<Secret> secretAccessKey, boolean pathStyle) {
    /** @throws CellarException ({@code INVALID_VALUE}) when only one of the two keys is given */
    public S3Settings {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(region, "region");
        if (accessKeyId.isPresent() != secretAccessKey.isPresent()) {
            throw new CellarException(ErrorCode.INVALID_VALUE,
                    "access_key_id and secret_access_key must be given together");
        }
    }
}
