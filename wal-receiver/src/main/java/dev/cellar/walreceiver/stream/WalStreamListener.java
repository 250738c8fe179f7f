package dev.cellar.walreceiver.stream;

import dev.cellar.storage.repository.Repository;
import dev.cellar.storage.repository.StoredHistory;
import dev.cellar.storage.repository.WalGap;

/**
 * What a WAL stream reports as it archives, so the server can catalogue it and react (a gap calls
 * for a new base backup at once). Called on the stream's own thread after the repository holds the
 * object; an exception thrown here stops the stream (and it is restarted), so implementations
 * should be quick and idempotent: after a crash the same segment may be reported again.
 */
public interface WalStreamListener {
    /** A WAL segment (or a timeline's partial last segment) is in the repository. */
    default void segmentArchived(String cluster, Repository.WalPut put) {
    }

    /** A timeline history file is in the repository. */
    default void historyArchived(String cluster, StoredHistory history) {
    }

    /** WAL the server no longer had was recorded as lost. */
    default void gapRecorded(String cluster, WalGap gap) {
    }

    WalStreamListener NONE = new WalStreamListener() {
    };
}
