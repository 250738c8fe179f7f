package dev.cellar.walreceiver.connection;

/** What {@link ReplicationConnection#createPhysicalSlot} did. */
public enum SlotCreation {
    /** The slot is new. */
    CREATED,
    /** A slot of that name existed already (SQLSTATE 42710); it was left as it was. */
    ALREADY_EXISTS
}
