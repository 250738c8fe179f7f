package dev.cellar.server.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cellar.config.CellarConfig;
import dev.cellar.config.ClusterConfig;
import dev.cellar.config.ConfigLoader;
import dev.cellar.config.HostPort;
import dev.cellar.config.Secret;
import dev.cellar.config.SecretSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Compose example: it parses, names its services' images or builds, mounts only files that
 * exist, and the Cellar configuration it mounts loads with exactly the secrets Compose gives the
 * Cellar container (read at /run/secrets/NAME, as in the container), naming the Compose services.
 */
class ComposePackagingTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private Path root;
    private JsonNode compose;

    @BeforeEach
    void read() throws Exception {
        root = PackagingPaths.sourceRoot();
        compose = YAML.readTree(root.resolve("docker-compose.yml").toFile());
    }

    @Test
    void namesTwoPostgresqlClustersAndCellarBuiltFromTheDockerfile() {
        JsonNode services = compose.path("services");
        List<String> names = new ArrayList<>();
        services.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactlyInAnyOrder("pg16", "pg17", "cellar");
        services.forEach(service -> assertThat(service.has("image") || service.has("build")).isTrue());

        assertThat(services.path("pg16").path("image").asText()).isEqualTo("postgres:16");
        assertThat(services.path("pg17").path("image").asText()).isEqualTo("postgres:17");
        for (String pg : List.of("pg16", "pg17")) {
            assertThat(texts(services.path(pg).path("command"))).contains("wal_level=replica", "max_wal_senders=10");
            assertThat(texts(services.path(pg).path("volumes")))
                    .contains("./docker/postgres-init:/docker-entrypoint-initdb.d:ro");
        }
        assertThat(texts(services.path("pg17").path("command"))).contains("summarize_wal=on");

        JsonNode build = services.path("cellar").path("build");
        assertThat(root.resolve(build.path("context").asText()).resolve(build.path("dockerfile").asText()))
                .isRegularFile();
    }

    @Test
    void everyFileItMountsOrUsesAsASecretExists() {
        List<String> missing = new ArrayList<>();
        compose.path("services").forEach(service -> texts(service.path("volumes")).stream()
                .map(volume -> volume.split(":")[0]).filter(source -> source.startsWith("./"))
                .filter(source -> !Files.exists(root.resolve(source))).forEach(missing::add));
        compose.path("secrets").forEach(secret -> {
            if (!Files.isRegularFile(root.resolve(secret.path("file").asText()))) {
                missing.add(secret.path("file").asText());
            }
        });
        assertThat(missing).isEmpty();
        assertThat(root.resolve("docker/postgres-init/10-cellar-role.sh")).isExecutable();
    }

    @Test
    void theMountedCellarConfigurationLoadsWithTheSecretsComposeProvides() throws Exception {
        JsonNode cellar = compose.path("services").path("cellar");
        Path config = texts(cellar.path("volumes")).stream().filter(v -> v.contains(":/etc/cellar/cellar.yaml"))
                .map(v -> root.resolve(v.split(":")[0])).findFirst()
                .orElseThrow(() -> new AssertionError("no configuration mounted at /etc/cellar/cellar.yaml"));
        Map<Path, String> secrets = new HashMap<>();
        for (String name : texts(cellar.path("secrets"))) {
            Path file = root.resolve(compose.path("secrets").path(name).path("file").asText());
            secrets.put(Path.of("/run/secrets", name), Files.readString(file));
        }

        CellarConfig loaded = ConfigLoader.load(config, SecretSource.of(Map.of(), secrets));

        assertThat(loaded.server().listen().host()).as("reachable through the published port").isEqualTo("0.0.0.0");
        assertThat(loaded.server().listen().port()).isEqualTo(8432);
        assertThat(loaded.server().token()).as("the API always needs the token").isPresent();
        assertThat(loaded.repository().path()).isEqualTo(Path.of("/var/lib/cellar"));
        assertThat(loaded.clusters()).extracting(ClusterConfig::name).containsExactly("pg16", "pg17");
        for (ClusterConfig cluster : loaded.clusters()) {
            assertThat(cluster.conninfo().hosts()).extracting(HostPort::host).containsExactly(cluster.name());
            assertThat(cluster.password()).as("password of " + cluster.name())
                    .contains(Secret.of(Files.readString(root.resolve("docker/secrets/cellar_replication_password"))
                            .stripTrailing()));
        }
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }
}
