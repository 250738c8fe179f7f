package dev.cellar.storage.repository;

import dev.cellar.core.TimelineHistory;
import dev.cellar.storage.ObjectKey;

/** A timeline history file as stored: its parsed content, object key and SHA-256 of its bytes. */
public record StoredHistory(String cluster, TimelineHistory history, ObjectKey key, String sha256) {
}
