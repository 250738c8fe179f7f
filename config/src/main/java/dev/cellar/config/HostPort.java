package dev.cellar.config;

import java.util.Objects;
import java.util.Optional;

/**
 * One server of a (possibly multi-host) conninfo, in the order libpq tries them.
 *
 * @param host the name to connect to and to verify the certificate against; a path starting with
 *     {@code /} is a Unix-socket directory, as in libpq
 * @param hostaddr the numeric address to connect to instead of resolving {@code host}, if given
 */
public record HostPort(String host, Optional<String> hostaddr, int port) {
    public HostPort {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(hostaddr, "hostaddr");
    }

    public boolean isUnixSocket() {
        return host.startsWith("/");
    }

    /** {@code host:port}, with IPv6 addresses in brackets. */
    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
