package dev.cellar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Odd but possible files: each either binds or fails with at least one named problem. Nothing is
 * dropped silently and no other exception escapes.
 */
class ConfigRobustnessTest {
    private static final SecretSource SECRETS = SecretSource.of(Map.of(), Map.of());

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "---\n",
        "~\n",
        "just a string\n",
        "repository:\n",
        "repository: {path: ~}\n",
        "repository: {path: /x}\nserver:\ndefaults:\noffsite:\nclusters:\n",
        "repository: {path: /x}\nclusters: [{}]\n",
        "repository: {path: /x}\nclusters: [~, 1, []]\n",
        "repository: {path: /x}\nclusters: {a: 1}\n",
        "repository: {path: /x}\nclusters:\n  - {name: a, conninfo: host=x, slot:}\n",
        "repository: {path: /x}\nclusters:\n  - {name: a, conninfo: host=x, slot: '${S:-}'}\n",
        "repository: {path: /x}\nclusters:\n  - {name: a, conninfo: '', password: ''}\n",
        "repository: {path: /x}\noffsite: {s3: {bucket: b, access_key_id: '', secret_access_key: k}}\n",
        "repository: {path: /x}\ndefaults: {compression: {}}\n",
        "repository: {path: /x}\ndefaults: {compression: {method: zstd, level: x, workers: -1}}\n",
        "repository: {path: /x}\ndefaults: {compression: [zstd]}\n",
        "repository: {path: /x}\ndefaults: {schedule: off, retention: 3}\n",
        "repository: {path: /x}\nclusters:\n  - name: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n    conninfo: host=x\n",
        "repository: {path: /x}\n? [complex, key]\n: value\n",
        "repository: {path: /x}\n\"\\xZZ\": 1\n",
        "repository: {path: /x}\nclusters:\n  - name: a\n    conninfo: host=x\n    max_rate: 0\n",
        "\t\n",
    })
    void bindsOrNamesAProblem(String yaml) {
        Throwable thrown = catchThrowable(() -> ConfigLoader.parse(yaml, "cellar.yaml", SECRETS));

        if (thrown != null) {
            assertThat(thrown).isInstanceOf(ConfigException.class);
            assertThat(((ConfigException) thrown).problems()).isNotEmpty();
        }
    }

    @Test
    void aSlotWrittenWithoutValueTakesTheDefault() {
        CellarConfig config = ConfigLoader.parse("repository: {path: /x}\nclusters:\n  - {name: a-b, conninfo: host=x, slot:}\n",
                "cellar.yaml", SECRETS);

        assertThat(config.clusters().getFirst().slot()).isEqualTo("cellar_a_b");
    }

    @Test
    void aNameTooLongForTheDefaultSlotAsksForAnExplicitSlot() {
        String name = "a".repeat(60);
        Throwable thrown = catchThrowable(() -> ConfigLoader.parse(
                "repository: {path: /x}\nclusters:\n  - name: " + name + "\n    conninfo: host=x\n", "cellar.yaml", SECRETS));

        assertThat(thrown).hasMessage("cellar.yaml: clusters[0].name: line 3, column 11: the default slot name 'cellar_"
                + name + "' would be longer than 63 characters; set slot");
    }
}
