package dev.cellar.walreceiver.connection;

import java.util.Objects;

/**
 * One server address to try: a host name or IP literal and a TCP port. Immutable and thread-safe.
 *
 * @param host a DNS name or an IPv4/IPv6 literal (without brackets); every address it resolves to is tried in turn
 * @param port 1 to 65535
 */
public record Endpoint(String host, int port) {
    /** PostgreSQL's default port. */
    public static final int DEFAULT_PORT = 5432;

    public Endpoint {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 1..65535");
        }
    }

    public static Endpoint of(String host, int port) {
        return new Endpoint(host, port);
    }

    /** {@code host:port}, or {@code [v6]:port} for an IPv6 literal: how messages name the server. */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
