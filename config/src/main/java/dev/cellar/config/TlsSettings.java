package dev.cellar.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * HTTPS for the admin API ({@code server.tls:}): where its certificate and key are. The
 * configuration only names the files (relative names already resolved against the configuration
 * file's directory); the server reads and checks them when it starts, and {@code backupctl --config}
 * trusts the certificate file.
 *
 * @param certificateFile PEM: the server's certificate, then any intermediates
 * @param keyFile PEM: the certificate's private key, unencrypted PKCS#8
 */
public record TlsSettings(Path certificateFile, Path keyFile) {
    public TlsSettings {
        Objects.requireNonNull(certificateFile, "certificateFile");
        Objects.requireNonNull(keyFile, "keyFile");
    }
}
