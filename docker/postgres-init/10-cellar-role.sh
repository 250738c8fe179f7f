#!/bin/sh
# Run once by the official postgres image when it initialises an empty data directory: creates the
# role Cellar connects as (replication, and an ordinary session to database postgres for each base
# backup) and allows its replication connections with a password. psql reads the password from the
# secret file itself, so it never appears on a command line.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
\set password `cat /run/secrets/cellar_replication_password`
CREATE ROLE cellar WITH LOGIN REPLICATION PASSWORD :'password';
SQL
# "all" in pg_hba.conf does not cover replication connections.
echo "host replication cellar all scram-sha-256" >> "$PGDATA/pg_hba.conf"
