package dev.cellar.walreceiver.connection;

import dev.cellar.core.CellarException;

/** Shared by the connection tests: connect, expecting a failure, and hand it over for assertions. */
final class ConnectionFailures {
    private ConnectionFailures() {
    }

    static CellarException connectFails(ReplicationConnectionSettings settings) {
        try {
            ReplicationConnector.connect(settings).close();
        } catch (CellarException e) {
            return e;
        }
        throw new AssertionError("connected, but the connection should have failed");
    }
}
