package dev.cellar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Secrets never reach a string that may be logged: records, exception messages, hints. */
class SecretRedactionTest {
    @Test
    void aSecretPrintsAsStars() {
        Secret secret = Secret.of("hunter2");

        assertThat(secret).hasToString("****");
        assertThat(secret.reveal()).isEqualTo("hunter2");
        assertThat(secret).isEqualTo(Secret.of("hunter2")).isNotEqualTo(Secret.of("hunter3"));
    }

    @Test
    void theBoundConfigurationShowsNoSecret() {
        CellarConfig config = ConfigLoader.parse(ConfigLoaderTest.FULL_CONFIG, "cellar.yaml", ConfigLoaderTest.SECRETS);

        assertThat(config.toString()).contains("****").doesNotContain("token-0123456789", "AKIAEXAMPLEKEYID",
                "s3-secret-key", "c1-password", "fallback-password");
        assertThat(config.clusters()).allSatisfy(c -> assertThat(c.conninfo().toString()).doesNotContain("password"));
    }

    @Test
    void problemsNeverQuoteASecret() {
        String yaml = """
                repository: {path: /srv/cellar}
                server:
                  token: [s3cr3t-token]
                offsite:
                  s3:
                    bucket: backups
                    secret_access_key: s3cr3t-key
                clusters:
                  - name: a
                    conninfo: host=pg1 password=${PGPASSWORD}
                  - name: b
                    conninfo: postgresql://backup:s3cr3t-uri@pg2/db
                    password: s3cr3t-inline
                    password_file: /run/secrets/pw
                """;
        SecretSource secrets = SecretSource.of(Map.of("PGPASSWORD", "s3cr3t-env"),
                Map.of(Path.of("/run/secrets/pw"), "s3cr3t-file\n"));

        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.parse(yaml, "cellar.yaml", secrets));

        assertThat(e.problems()).hasSize(5);
        assertThat(e.getMessage() + e.hint().orElseThrow() + e.describe()).doesNotContain("s3cr3t");
    }

    @Test
    void aSyntaxErrorDoesNotEchoTheSourceLine() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(
                "repository: {path: /x}\nclusters:\n  - password: s3cr3t: more\n", "cellar.yaml", SecretSource.of(
                        Map.of(), Map.of())));

        assertThat(e.getMessage()).startsWith("cellar.yaml: line 3, column ").doesNotContain("s3cr3t");
    }
}
