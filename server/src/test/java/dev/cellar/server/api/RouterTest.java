package dev.cellar.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterTest {
    private final Router router = new Router()
            .add("GET", "/api/v1/clusters/{cluster}/backups", r -> "list")
            .add("POST", "/api/v1/clusters/{cluster}/backups", 202, r -> "start")
            .add("GET", "/api/v1/backups/{id}", r -> "show");

    @Test
    void bindsPathParametersByMethod() {
        Router.Match match = router.match("POST", "/api/v1/clusters/c%2D1/backups").orElseThrow();
        assertThat(match.parameters()).isEqualTo(Map.of("cluster", "c-1"));
        assertThat(match.route().successStatus()).isEqualTo(202);
        assertThat(router.match("GET", "/api/v1/backups/20261121T100000Z-F/").orElseThrow().parameters())
                .containsEntry("id", "20261121T100000Z-F");
    }

    @Test
    void tellsAnUnknownPathFromAWrongMethod() {
        assertThat(router.match("DELETE", "/api/v1/clusters/c1/backups")).isEmpty();
        assertThat(router.knowsPath("/api/v1/clusters/c1/backups")).isTrue();
        assertThat(router.knowsPath("/api/v1/clusters/c1")).isFalse();
        assertThat(router.match("GET", "/api/v1/clusters//backups")).as("an empty parameter").isEmpty();
        assertThat(router.match("GET", "/api/v1/backups/a/b")).isEmpty();
    }
}
