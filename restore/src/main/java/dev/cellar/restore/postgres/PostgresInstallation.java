package dev.cellar.restore.postgres;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A directory holding PostgreSQL server programs of one major version ({@code bin/initdb},
 * {@code bin/pg_ctl}, {@code bin/postgres} and the {@code lib/} and {@code share/} they need).
 * Immutable.
 *
 * @param major   the major version, for example {@code 17}
 * @param version the full version as shipped, for example {@code 17.11.0}; informative only
 * @param home    the directory that contains {@code bin/}
 */
public record PostgresInstallation(int major, String version, Path home) {

    public PostgresInstallation {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(home, "home");
        if (major < 15) {
            throw new CellarException(ErrorCode.POSTGRES_SERVER_FAILED,
                    "PostgreSQL " + major + " at " + home + " is not supported",
                    "Cellar works with PostgreSQL 15 and newer.");
        }
    }

    /** The path of one program in {@code bin/}, checked to exist. */
    public Path program(String name) {
        Path path = home.resolve("bin").resolve(name);
        if (!Files.isExecutable(path)) {
            throw new CellarException(ErrorCode.POSTGRES_SERVER_FAILED,
                    "PostgreSQL " + major + " program " + path + " is missing or not executable",
                    "Point cellar.pg.home." + major + " (or CELLAR_PG" + major
                            + "_HOME) at a PostgreSQL " + major + " installation.");
        }
        return path;
    }
}
