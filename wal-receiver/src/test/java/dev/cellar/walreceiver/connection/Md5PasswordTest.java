package dev.cellar.walreceiver.connection;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Md5PasswordTest {

    @Test
    void knownVector() {
        // inner=$(printf 'secretpostgres' | md5sum)             -> 53f48b7c4b76a86ce72276c5755f217d
        // printf '%s\x01\x02\x03\x04' "$inner" | md5sum         -> bb41a296aab6baccb36ff243a562abff
        byte[] response = Md5Password.response("postgres", "secret".toCharArray(), new byte[] {1, 2, 3, 4});

        assertThat(new String(response, StandardCharsets.US_ASCII)).isEqualTo("md5bb41a296aab6baccb36ff243a562abff");
    }

    @Test
    void passwordIsEncodedAsUtf8() {
        // printf 'pässpostgres' | md5sum -> the inner hash uses the two UTF-8 bytes of 'ä'
        byte[] utf8 = Md5Password.Utf8Secrets.encode("päss".toCharArray());

        assertThat(utf8).isEqualTo("päss".getBytes(StandardCharsets.UTF_8)).hasSize(5);
    }
}
