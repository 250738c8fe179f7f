package dev.cellar.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SuggestionsTest {
    private static final List<String> KEYS = List.of("host", "hostaddr", "port", "user", "sslmode");

    @Test
    void suggestsTheClosestKeyWithinTwoEdits() {
        assertThat(Suggestions.closest("hots", KEYS)).contains("host");
        assertThat(Suggestions.closest("Port", KEYS)).contains("port");
        assertThat(Suggestions.closest("ssl_mode", KEYS)).contains("sslmode");
        assertThat(Suggestions.closest("database", KEYS)).isEmpty();
    }

    @Test
    void doesNotSuggestForVeryShortWords() {
        assertThat(Suggestions.closest("xy", List.of("ab"))).isEmpty();
    }

    @Test
    void listsTheChoicesWhenNothingIsClose() {
        assertThat(Suggestions.hint("database", KEYS)).isEqualTo("; expected one of host, hostaddr, port, user, sslmode");
    }
}
