package dev.cellar.config;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.nio.file.Path;

/** The local repository, the source of truth for every cluster's WAL and backups ({@code repository:}). */
public record RepositorySettings(Path path) {
    /** @throws CellarException ({@code INVALID_VALUE}) when the path is relative */
    public RepositorySettings {
        if (!path.isAbsolute()) {
            throw new CellarException(ErrorCode.INVALID_VALUE, "repository path must be absolute, got '" + path + "'");
        }
    }
}
