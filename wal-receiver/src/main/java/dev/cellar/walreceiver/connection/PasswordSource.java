package dev.cellar.walreceiver.connection;

import java.util.Optional;

/**
 * Where the password comes from, asked only when a server requests one (so a trust or certificate
 * login never reads it). Implementations read a secret file or the environment; they must not log
 * the value.
 *
 * <p>Each call returns a <em>new</em> array: the connector zeroes it as soon as it has been used.
 * Implementations must be thread-safe if one settings object is shared by several connectors.
 */
@FunctionalInterface
public interface PasswordSource {

    /** The password, or empty if none is configured. */
    Optional<char[]> password();

    /** No password. */
    static PasswordSource none() {
        return Optional::empty;
    }

    /** A fixed password (tests, tools); kept as a private copy and cloned on every call. */
    static PasswordSource of(char[] password) {
        char[] copy = password.clone();
        return () -> Optional.of(copy.clone());
    }
}
