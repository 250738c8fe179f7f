package dev.cellar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ListenAddressTest {
    @Test
    void readsHostPortAndBracketedIpv6() {
        assertThat(ListenAddress.parse("127.0.0.1:8432")).isEqualTo(new ListenAddress("127.0.0.1", 8432));
        assertThat(ListenAddress.parse("localhost:1")).isEqualTo(new ListenAddress("localhost", 1));
        assertThat(ListenAddress.parse("[::1]:8432")).isEqualTo(new ListenAddress("::1", 8432));
        assertThat(ListenAddress.parse("[fe80::1%eth0]:8432").host()).isEqualTo("fe80::1%eth0");
        assertThat(new ListenAddress("::", 8432)).hasToString("[::]:8432");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            127.0.0.1       | invalid listen address '127.0.0.1': missing port; expected host:port, e.g. 127.0.0.1:8432
            ::1:8432        | invalid listen address '::1:8432': write an IPv6 address in brackets, e.g. [::1]:8432
            [::1            | invalid listen address '[::1': expected [ipv6-address]:port, e.g. [::1]:8432
            :8432           | invalid listen address ':8432': missing host; use 0.0.0.0:8432 to listen on every IPv4 address
            host:99999      | invalid listen address 'host:99999': port must be between 1 and 65535
            host:http       | invalid listen address 'host:http': port must be a number between 1 and 65535
            bad_host:80     | invalid listen address 'bad_host:80': 'bad_host' is not a host name or IP address
            """)
    void rejectsWithTheExpectedForm(String text, String message) {
        assertThatThrownBy(() -> ListenAddress.parse(text)).hasMessage(message);
    }
}
