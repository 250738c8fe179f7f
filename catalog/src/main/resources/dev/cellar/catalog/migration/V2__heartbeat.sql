-- One row the server rewrites when asked whether the catalog still takes writes (/health): a
-- read-only or full file system shows up there instead of at the next WAL segment.
CREATE TABLE heartbeat (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    at INTEGER NOT NULL
) STRICT;
