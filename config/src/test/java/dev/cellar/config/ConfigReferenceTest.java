package dev.cellar.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigReferenceTest {
    @Test
    void everyKeyHasATypeAndDocText() {
        assertThat(allKeys()).isNotEmpty().allSatisfy(k -> {
            assertThat(k.key().description()).as(k.path()).isNotBlank().endsWith(".");
            assertThat(k.key().type()).as(k.path()).isNotBlank();
        });
    }

    @Test
    void everyDeclaredDefaultIsAValidValueOfItsKey() {
        allKeys().stream().map(PathAndKey::key)
                .filter(k -> k.defaultText().isPresent() && !k.isDefaultComputed())
                .forEach(ConfigKey::defaultValue);
    }

    @Test
    void theReferenceHasARowForEveryKey() {
        String markdown = ConfigReference.markdown();

        assertThat(allKeys()).allSatisfy(k -> assertThat(markdown).contains("| `" + k.path() + "` |"));
        assertThat(markdown).contains(
                "| `clusters[].conninfo` | conninfo | required |",
                "| `defaults.retention.recovery_window` | duration | `14d` |",
                "| `clusters[].schedule.full` | cron | `defaults.schedule.full` |",
                "| `clusters[].compression` | compression | `defaults.compression` |",
                "| `server.listen` | host:port | `127.0.0.1:8432` |");
    }

    private record PathAndKey(String path, ConfigKey<?> key) {
    }

    private static List<PathAndKey> allKeys() {
        List<PathAndKey> keys = new ArrayList<>();
        collect("", ConfigSchema.ROOT, keys);
        return keys;
    }

    private static void collect(String parent, ConfigSection section, List<PathAndKey> into) {
        for (ConfigKey<?> key : section.keys()) {
            String path = parent.isEmpty() ? key.name() : parent + "." + key.name();
            into.add(new PathAndKey(path, key));
            String childParent = key.shape() == ConfigKey.Shape.LIST_OF_MAPS ? path + "[]" : path;
            key.section().ifPresent(child -> collect(childParent, child, into));
        }
    }
}
