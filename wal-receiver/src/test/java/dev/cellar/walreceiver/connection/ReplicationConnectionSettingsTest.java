package dev.cellar.walreceiver.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.CellarException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ReplicationConnectionSettingsTest {

    @Test
    void defaultsAreLibpqs() {
        ReplicationConnectionSettings s = ReplicationConnectionSettings.builder("backup").endpoint("pg1", 5432).build();

        assertThat(s.sslMode()).isEqualTo(SslMode.PREFER);
        assertThat(s.channelBinding()).isEqualTo(ChannelBinding.PREFER);
        assertThat(s.targetSessionAttrs()).isEqualTo(TargetSessionAttrs.ANY);
        assertThat(s.connectTimeout()).isZero();
        assertThat(s.verifiesCertificateChain()).isFalse();
    }

    @Test
    void toStringNeverAsksForThePassword() {
        ReplicationConnectionSettings s = ReplicationConnectionSettings.builder("backup").endpoint("pg1", 5432)
                .password(() -> {
                    throw new AssertionError("toString must not read the password");
                }).build();

        assertThat(s.toString()).contains("user=backup").contains("pg1:5432").doesNotContain("password");
    }

    @Test
    void unusableCombinationsAreRefused() {
        assertThatThrownBy(() -> ReplicationConnectionSettings.builder("u").build())
                .isInstanceOf(CellarException.class).hasMessageContaining("endpoint list is empty");
        assertThatThrownBy(() -> ReplicationConnectionSettings.builder("u").endpoint("h", 1).sslMode(SslMode.VERIFY_FULL).build())
                .hasMessageContaining("sslmode=verify-full needs a root certificate");
        assertThatThrownBy(() -> ReplicationConnectionSettings.builder("u").endpoint("h", 1).sslMode(SslMode.DISABLE)
                .channelBinding(ChannelBinding.REQUIRE).build())
                .hasMessageContaining("channel_binding=require needs TLS");
        assertThatThrownBy(() -> ReplicationConnectionSettings.builder("u").endpoint("h", 1)
                .clientCertificate(Path.of("c.pem"), null).build())
                .hasMessageContaining("must be given together");
    }

    @Test
    void requireWithARootCertificateVerifiesTheChainAsLibpqDoes() {
        ReplicationConnectionSettings s = ReplicationConnectionSettings.builder("u").endpoint("h", 1)
                .sslMode(SslMode.REQUIRE).rootCertificate(Path.of("root.crt")).build();

        assertThat(s.verifiesCertificateChain()).isTrue();
    }

    @Test
    void ipv6EndpointsPrintWithBrackets() {
        assertThat(Endpoint.of("::1", 5432)).hasToString("[::1]:5432");
        assertThatThrownBy(() -> Endpoint.of("h", 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
