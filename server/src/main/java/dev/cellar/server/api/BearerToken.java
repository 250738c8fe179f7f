package dev.cellar.server.api;

import dev.cellar.config.Secret;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * Checks the {@code Authorization: Bearer …} header against the configured token in constant time:
 * both sides are hashed first, so neither the content nor the length of the token leaks through
 * how long a comparison takes.
 */
final class BearerToken {
    private static final String PREFIX = "Bearer ";
    private final byte[] expected;

    BearerToken(Secret token) {
        this.expected = sha256(token.reveal());
    }

    boolean accepts(Optional<String> authorization) {
        String presented = authorization.filter(h -> h.regionMatches(true, 0, PREFIX, 0, PREFIX.length()))
                .map(h -> h.substring(PREFIX.length()).trim()).orElse("");
        // Hash even an absent token, so a missing header costs the same as a wrong one.
        return MessageDigest.isEqual(expected, sha256(presented)) && !presented.isEmpty();
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
