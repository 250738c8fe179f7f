/**
 * Cellar's own client for physical replication connections: the one place that connects to and
 * authenticates with PostgreSQL for WAL streaming, base backups and slot commands.
 *
 * <p>Entry points: {@link dev.cellar.walreceiver.connection.ReplicationConnectionSettings} (libpq's
 * host list, sslmode, channel_binding, target_session_attrs, connect_timeout),
 * {@link dev.cellar.walreceiver.connection.ReplicationConnector} (tries the servers, logs in) and
 * {@link dev.cellar.walreceiver.connection.ReplicationConnection} (typed replication commands, and the
 * low-level query/COPY interface that START_REPLICATION and BASE_BACKUP are built on).
 *
 * <p>Checked against PostgreSQL 15.19, 16.15, 17.11 and 18.6 by this module's integration tests:
 * <ul>
 *   <li>Startup parameters {@code user} and {@code replication=true} (no database) give a physical
 *       walsender; pg_hba.conf then matches it only through the {@code replication} keyword of the
 *       database column: a {@code host all <role> ... reject} line does not stop it.</li>
 *   <li>A physical walsender reports {@code server_version} but not {@code server_version_num};
 *       it does report {@code in_hot_standby} and {@code default_transaction_read_only} (used for
 *       target_session_attrs), {@code scram_iterations} from 16, {@code search_path} from 18, and
 *       {@code server_encoding}/{@code client_encoding} SQL_ASCII (it has no database).</li>
 *   <li>IDENTIFY_SYSTEM's {@code timeline} column is int4 (OID 23) on 15 and int8 (OID 20) on 16+.</li>
 *   <li>CREATE_REPLICATION_SLOT ... PHYSICAL returns {@code consistent_point} 0/0; a slot created
 *       without RESERVE_WAL reads back from READ_REPLICATION_SLOT with NULL restart_lsn/restart_tli;
 *       a duplicate name is SQLSTATE 42710, a missing one on DROP 42704; TIMELINE_HISTORY 1 is 58P01.</li>
 *   <li>A client CopyDone on the current timeline is answered by CopyDone, CommandComplete
 *       {@code START_STREAMING}, CommandComplete {@code START_REPLICATION}, ReadyForQuery.</li>
 *   <li>A role without REPLICATION is refused with SQLSTATE 42501 after AuthenticationOk.</li>
 * </ul>
 */
package dev.cellar.walreceiver.connection;
