package dev.cellar.server.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the packaging tests find the source tree and the built distribution (set by the server POM). */
public final class PackagingPaths {
    /**
     * Why the tests of the distribution do not run under Surefire: {@code -Dtest=...} overrides its
     * exclusion of {@code *IT}, but the distribution is built in {@code package}, after {@code test};
     * Failsafe sets {@code cellar.dist.dir}.
     */
    public static final String NEEDS_PACKAGE = "needs the packaged distribution: runs in the integration-test phase";

    private PackagingPaths() {
    }

    /** The repository's root: Dockerfile, docker-compose.yml, docker/. */
    static Path sourceRoot() {
        Path root = Path.of(System.getProperty("cellar.source.root", "..")).toAbsolutePath().normalize();
        assertThat(root.resolve("Dockerfile")).as("the source tree's root (cellar.source.root)").isRegularFile();
        return root;
    }

    /** {@code server/target/cellar}, which {@code mvn package} builds before the integration tests run. */
    public static Path distribution() {
        String dist = System.getProperty("cellar.dist.dir");
        assertThat(dist).as("cellar.dist.dir, which the server POM gives Failsafe").isNotBlank();
        Path home = Path.of(dist).toAbsolutePath().normalize();
        assertThat(home.resolve("bin/backupctl")).as("the distribution; run mvn package (or verify) first")
                .isRegularFile();
        return home;
    }

    /** The JDK running the tests: 21 or newer, as the build requires. */
    public static Path javaHome() {
        return Path.of(System.getProperty("java.home"));
    }

    static boolean isExecutable(Path file) {
        return Files.isRegularFile(file) && Files.isExecutable(file);
    }
}
