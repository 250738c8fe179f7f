package dev.cellar.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cellar.config.Secret;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BearerTokenTest {
    private final BearerToken token = new BearerToken(Secret.of("s3cret-token"));

    @Test
    void acceptsOnlyTheExactTokenAsABearerCredential() {
        assertThat(token.accepts(Optional.of("Bearer s3cret-token"))).isTrue();
        assertThat(token.accepts(Optional.of("bearer s3cret-token"))).as("the scheme is case-insensitive").isTrue();
        assertThat(token.accepts(Optional.of("Bearer s3cret-token-and-more"))).isFalse();
        assertThat(token.accepts(Optional.of("Bearer s3cret-toke"))).isFalse();
        assertThat(token.accepts(Optional.of("Basic czNjcmV0LXRva2Vu"))).isFalse();
        assertThat(token.accepts(Optional.of("s3cret-token"))).as("no scheme").isFalse();
        assertThat(token.accepts(Optional.of("Bearer "))).isFalse();
        assertThat(token.accepts(Optional.empty())).isFalse();
    }

    @Test
    void anEmptyConfiguredTokenAcceptsNothing() {
        BearerToken empty = new BearerToken(Secret.of(""));
        assertThat(empty.accepts(Optional.of("Bearer "))).isFalse();
        assertThat(empty.accepts(Optional.empty())).isFalse();
    }
}
