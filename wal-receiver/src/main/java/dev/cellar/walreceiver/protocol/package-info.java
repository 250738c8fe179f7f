/**
 * PostgreSQL's frontend/backend protocol 3.0 as a replication client needs it: framing and
 * decoding of backend messages ({@link dev.cellar.walreceiver.protocol.MessageReader},
 * {@link dev.cellar.walreceiver.protocol.BackendMessage}), encoding of frontend messages
 * ({@link dev.cellar.walreceiver.protocol.MessageWriter}), and the payloads carried in CopyData
 * while streaming WAL ({@link dev.cellar.walreceiver.protocol.WalStreamMessage},
 * {@link dev.cellar.walreceiver.protocol.StandbyStatusUpdate}).
 *
 * <p>Pure codec: no sockets are opened here and nothing is logged. Connecting, TLS and
 * authentication live in {@link dev.cellar.walreceiver.connection}.
 */
package dev.cellar.walreceiver.protocol;
