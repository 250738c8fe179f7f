package dev.cellar.config;

import java.util.Objects;
import java.util.Optional;

/**
 * The admin API ({@code server:}). Without a token the server must refuse to start the API rather
 * than serve it unauthenticated; the config only records that none was given.
 *
 * @param tls HTTPS instead of HTTP when present
 * @param maxConcurrentBackups base backups at once across all clusters
 */
public record ServerSettings(ListenAddress listen, Optional<TlsSettings> tls, Optional<Secret> token,
        int maxConcurrentBackups) {
    public ServerSettings {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(token, "token");
    }
}
