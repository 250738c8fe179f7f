-- The Cellar catalog: an index of what the repository holds, rebuildable from it.
--
-- Conventions (every table):
--   * times are INTEGER microseconds since 1970-01-01T00:00:00Z (UTC), PostgreSQL's own precision;
--   * LSNs are INTEGER byte positions; the Java layer refuses LSNs of 2^63 and above, which no
--     server reaches, so the signed column orders them correctly;
--   * booleans are INTEGER 0/1; timeline IDs and OIDs are INTEGER (unsigned 32-bit values fit);
--   * checksums are lower-case hexadecimal SHA-256 (64 characters);
--   * tables are STRICT, so a value of the wrong type is refused instead of stored as text.

CREATE TABLE clusters (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    name              TEXT    NOT NULL UNIQUE CHECK (length(name) > 0),
    system_identifier TEXT    NOT NULL CHECK (length(system_identifier) BETWEEN 1 AND 20),  -- uint64, decimal
    pg_major          INTEGER NOT NULL CHECK (pg_major > 0),
    wal_segment_size  INTEGER NOT NULL CHECK (wal_segment_size > 0),
    created_at        INTEGER NOT NULL
) STRICT;

-- One row per timeline known for a cluster. Timeline 1 has no parent; every later one branched off
-- parent_tli at switch_lsn (the first LSN that belongs to it rather than to its parent).
CREATE TABLE timelines (
    cluster_id     INTEGER NOT NULL REFERENCES clusters (id),
    tli            INTEGER NOT NULL CHECK (tli BETWEEN 1 AND 4294967295),
    parent_tli     INTEGER CHECK (parent_tli >= 1 AND parent_tli < tli),
    switch_lsn     INTEGER CHECK (switch_lsn >= 0),
    history_sha256 TEXT    CHECK (length(history_sha256) = 64),
    PRIMARY KEY (cluster_id, tli),
    FOREIGN KEY (cluster_id, parent_tli) REFERENCES timelines (cluster_id, tli),
    CHECK ((parent_tli IS NULL) = (switch_lsn IS NULL)),
    CHECK ((tli = 1) = (parent_tli IS NULL))
) STRICT;

-- Archived WAL. A complete segment and a .partial one (the unfinished last segment of a timeline
-- that ended, covering [segment start, end_lsn)) may both exist for one name, as two objects in
-- the repository, so is_partial is part of the key.
CREATE TABLE wal_segments (
    cluster_id    INTEGER NOT NULL REFERENCES clusters (id),
    tli           INTEGER NOT NULL CHECK (tli BETWEEN 1 AND 4294967295),
    segment_no    INTEGER NOT NULL CHECK (segment_no >= 0),
    is_partial    INTEGER NOT NULL CHECK (is_partial IN (0, 1)),
    end_lsn       INTEGER CHECK (end_lsn > 0),             -- partial only: exclusive end of its WAL
    size          INTEGER NOT NULL CHECK (size >= 0),      -- logical (uncompressed) bytes
    sha256        TEXT    NOT NULL CHECK (length(sha256) = 64),
    stored_size   INTEGER NOT NULL CHECK (stored_size >= 0),
    stored_sha256 TEXT    NOT NULL CHECK (length(stored_sha256) = 64),
    codec         TEXT    NOT NULL CHECK (length(codec) > 0),
    object_key    TEXT    NOT NULL UNIQUE,
    local         INTEGER NOT NULL CHECK (local IN (0, 1)),
    offsite       INTEGER NOT NULL CHECK (offsite IN (0, 1)),
    archived_at   INTEGER NOT NULL,
    PRIMARY KEY (cluster_id, tli, segment_no, is_partial),
    CHECK ((is_partial = 1) = (end_lsn IS NOT NULL))
) STRICT;

-- WAL the server no longer had when Cellar asked for it: [from_lsn, to_lsn) on tli.
CREATE TABLE wal_gaps (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    cluster_id  INTEGER NOT NULL REFERENCES clusters (id),
    tli         INTEGER NOT NULL CHECK (tli BETWEEN 1 AND 4294967295),
    from_lsn    INTEGER NOT NULL CHECK (from_lsn >= 0),
    to_lsn      INTEGER NOT NULL,
    detected_at INTEGER NOT NULL,
    reason      TEXT    NOT NULL,
    UNIQUE (cluster_id, tli, from_lsn, to_lsn),
    CHECK (to_lsn > from_lsn)
) STRICT;

-- parent_id deliberately has no foreign key: the repository is the source of truth, and a catalog
-- rebuilt from it must be able to hold an incremental backup whose parent is gone, so that the
-- broken chain is reported (BackupQueries.chain) rather than the rebuild failing.
CREATE TABLE backups (
    id              TEXT    PRIMARY KEY CHECK (length(id) > 0),
    cluster_id      INTEGER NOT NULL REFERENCES clusters (id),
    kind            TEXT    NOT NULL CHECK (kind IN ('full', 'incremental')),
    parent_id       TEXT,
    label           TEXT    NOT NULL,
    start_lsn       INTEGER NOT NULL CHECK (start_lsn >= 0),
    start_tli       INTEGER NOT NULL CHECK (start_tli BETWEEN 1 AND 4294967295),
    end_lsn         INTEGER,
    end_tli         INTEGER CHECK (end_tli BETWEEN 1 AND 4294967295),
    checkpoint_lsn  INTEGER CHECK (checkpoint_lsn >= 0),
    start_time      INTEGER NOT NULL,
    end_time        INTEGER,
    pg_version      INTEGER NOT NULL CHECK (pg_version > 0),  -- server_version_num
    backup_from     TEXT    NOT NULL CHECK (backup_from IN ('primary', 'standby')),
    logical_size    INTEGER NOT NULL CHECK (logical_size >= 0),
    stored_size     INTEGER NOT NULL CHECK (stored_size >= 0),
    status          TEXT    NOT NULL
                    CHECK (status IN ('running', 'waiting_for_wal', 'complete', 'failed', 'incomplete')),
    failure_message TEXT,
    pinned_until    INTEGER,
    pinned_forever  INTEGER NOT NULL DEFAULT 0 CHECK (pinned_forever IN (0, 1)),
    CHECK ((kind = 'full') = (parent_id IS NULL)),
    CHECK (parent_id IS NULL OR parent_id <> id),
    CHECK ((end_lsn IS NULL) = (end_tli IS NULL)),
    CHECK (end_lsn IS NULL OR end_lsn >= start_lsn),
    CHECK (end_tli IS NULL OR end_tli >= start_tli),
    CHECK (status <> 'complete' OR (end_lsn IS NOT NULL AND end_time IS NOT NULL))
) STRICT;

CREATE TABLE backup_databases (
    backup_id TEXT    NOT NULL REFERENCES backups (id) ON DELETE CASCADE,
    oid       INTEGER NOT NULL CHECK (oid BETWEEN 1 AND 4294967295),
    name      TEXT    NOT NULL,
    PRIMARY KEY (backup_id, oid)
) STRICT;

CREATE TABLE backup_tablespaces (
    backup_id TEXT    NOT NULL REFERENCES backups (id) ON DELETE CASCADE,
    oid       INTEGER NOT NULL CHECK (oid BETWEEN 1 AND 4294967295),
    name      TEXT    NOT NULL,
    location  TEXT    NOT NULL,
    PRIMARY KEY (backup_id, oid)
) STRICT;

CREATE TABLE jobs (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    cluster_id INTEGER REFERENCES clusters (id),          -- NULL: a job for the whole server
    type       TEXT    NOT NULL CHECK (length(type) > 0),
    started_at INTEGER NOT NULL,
    ended_at   INTEGER,
    outcome    TEXT    NOT NULL CHECK (outcome IN ('running', 'succeeded', 'failed', 'skipped', 'cancelled')),
    message    TEXT,
    CHECK ((outcome = 'running') = (ended_at IS NULL))
) STRICT;

-- A verification outlives the backup it checked: its history stays when the backup is deleted.
CREATE TABLE verifications (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    cluster_id INTEGER NOT NULL REFERENCES clusters (id),
    backup_id  TEXT    REFERENCES backups (id) ON DELETE SET NULL,
    started_at INTEGER NOT NULL,
    ended_at   INTEGER,
    target     TEXT    NOT NULL,
    outcome    TEXT    NOT NULL CHECK (outcome IN ('running', 'passed', 'failed')),
    message    TEXT,
    details    TEXT    CHECK (details IS NULL OR json_valid(details)),
    CHECK ((outcome = 'running') = (ended_at IS NULL))
) STRICT;

-- Newest restorable backup before a target: status and end point per cluster.
CREATE INDEX backups_by_cluster_status_end ON backups (cluster_id, status, end_tli, end_lsn);
-- Listing a cluster's backups newest first.
CREATE INDEX backups_by_cluster_start ON backups (cluster_id, start_time);
-- Children of a backup (deletion safety) and chain walks.
CREATE INDEX backups_by_parent ON backups (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX wal_gaps_by_cluster ON wal_gaps (cluster_id, from_lsn);
CREATE INDEX jobs_by_cluster_start ON jobs (cluster_id, started_at);
CREATE INDEX jobs_by_start ON jobs (started_at);
CREATE INDEX jobs_running ON jobs (outcome) WHERE outcome = 'running';
CREATE INDEX verifications_by_cluster_start ON verifications (cluster_id, started_at);
CREATE INDEX verifications_by_backup ON verifications (backup_id) WHERE backup_id IS NOT NULL;
