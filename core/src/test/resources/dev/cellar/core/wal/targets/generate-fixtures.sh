#!/bin/bash
# Regenerates the recovery-target WAL fixtures (see README.md next to this script).
#
#   generate-fixtures.sh MAJOR BINDIR [PSQL]
#
# MAJOR   15, 16, 17 or 18: the fixtures go to pgMAJOR/ next to this script (replaced)
# BINDIR  a PostgreSQL bin directory with initdb, pg_ctl and postgres of that major, for example
#         /tmp/cellar-pgbin-17.11.0/bin (the io.zonky.test.postgres binaries the test kit unpacks)
# PSQL    any psql of 15 or newer; default /usr/lib/postgresql/15/bin/psql (Debian's)
#
# Runs the server as "nobody" when started as root (PostgreSQL refuses root). Needs only /tmp.
set -euo pipefail

major=$1
bindir=$2
psql_bin=${3:-/usr/lib/postgresql/15/bin/psql}
here=$(cd "$(dirname "$0")" && pwd)
out=$here/pg$major

as_server() {
    if [ "$(id -u)" = 0 ]; then
        setpriv --reuid=nobody --regid=65534 --clear-groups "$@"
    else
        "$@"
    fi
}

base=$(mktemp -d /tmp/cellar-walgen-XXXXXX)
chmod 755 "$base"
mkdir "$base/archive"
[ "$(id -u)" = 0 ] && chown -R nobody:65534 "$base"
port=$((20000 + RANDOM % 20000))
cleanup() {
    as_server "$bindir/pg_ctl" -D "$base/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$base"
}
trap cleanup EXIT

as_server "$bindir/initdb" -D "$base/data" -U postgres -A trust -E UTF8 --locale=C --no-sync --wal-segsize=1 >/dev/null
cat >>"$base/data/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$base'
port = $port
wal_level = logical
max_prepared_transactions = 5
track_commit_timestamp = on
archive_mode = on
archive_command = 'cp %p $base/archive/%f'
wal_compression = off
full_page_writes = on
shared_buffers = 16MB
timezone = 'UTC'
EOF
as_server "$bindir/pg_ctl" -D "$base/data" -w -t 60 -l "$base/postgres.log" start >/dev/null

sql() {
    "$psql_bin" -X -q -At -v ON_ERROR_STOP=1 -h "$base" -p "$port" -U postgres -d postgres "$@"
}

# Setup, not part of the fixtures: tables, rows, then a checkpoint so that the first change of each
# page afterwards writes a full-page image; the fixtures start at the next segment.
sql <<'EOF' >/dev/null
create table t(id int primary key, v text) with (fillfactor = 50);
insert into t select i, 'row ' || i from generate_series(1, 2000) i;
create table doomed(x int);
create table doomed2(x int);
create table g(p point);
insert into g select point(i % 97, i / 97) from generate_series(1, 3000) i;
select pg_replication_origin_create('cellar_origin');
checkpoint;
EOF
start_lsn=$(sql -c "select pg_switch_wal()")
# The switch record ends the segment; the next record starts in the next segment.
first_segment=$(sql -c "select pg_walfile_name(pg_current_wal_insert_lsn())")

# us(ts): a timestamptz as microseconds since the Unix epoch, exactly.
sql >"$base/expected.properties" <<'EOF'
create function pg_temp.us(timestamptz) returns bigint language sql
    as $$ select (extract(epoch from $1) * 1000000)::bigint $$;
select 'server_version=' || current_setting('server_version');
select 'system_identifier=' || system_identifier from pg_control_system();
select 'timeline=' || timeline_id from pg_control_checkpoint();

-- A commit with full-page images (holes, uncompressed), a subtransaction (its first record carries
-- the top-level xid, wal_level = logical) and so XACT_XINFO_HAS_SUBXACTS.
begin;
update t set v = v || ' updated' where id <= 50;
savepoint s1;
insert into t values (100001, 'in a subtransaction');
release savepoint s1;
select pg_current_xact_id()::text as xid \gset commit_
select pg_current_wal_insert_lsn() as before \gset commit_
commit;
select 'commit.xid=' || :'commit_xid';
select 'commit.before=' || :'commit_before';
select 'commit.after=' || pg_current_wal_insert_lsn();
select 'commit.time_us=' || pg_temp.us(pg_xact_commit_timestamp(:'commit_xid'::xid));
select 'commit.time=' || pg_xact_commit_timestamp(:'commit_xid'::xid);

-- From here on compressed full-page images (smaller fixtures); wal_compression is settable by a superuser.
set wal_compression = pglz;

-- An abort.
begin;
insert into t values (100002, 'rolled back');
select pg_current_xact_id()::text as xid \gset abort_
select pg_current_wal_insert_lsn() as before \gset abort_
select pg_temp.us(clock_timestamp()) as not_before \gset abort_
rollback;
select 'abort.xid=' || :'abort_xid';
select 'abort.before=' || :'abort_before';
select 'abort.after=' || pg_current_wal_insert_lsn();
select 'abort.not_before_us=' || :'abort_not_before';
select 'abort.not_after_us=' || pg_temp.us(clock_timestamp());

-- A prepared transaction that drops a table, committed: COMMIT_PREPARED with relations, dropped
-- statistics (15+) and invalidations before the two-phase xid.
begin;
insert into t values (100003, 'prepared, committed');
drop table doomed;
select pg_current_xact_id()::text as xid \gset cp_
prepare transaction 'cellar_commit';
select pg_current_wal_insert_lsn() as before \gset cp_
commit prepared 'cellar_commit';
select 'commit_prepared.xid=' || :'cp_xid';
select 'commit_prepared.before=' || :'cp_before';
select 'commit_prepared.after=' || pg_current_wal_insert_lsn();
select 'commit_prepared.time_us=' || pg_temp.us(pg_xact_commit_timestamp(:'cp_xid'::xid));

-- A prepared transaction rolled back: ABORT_PREPARED.
begin;
insert into t values (100004, 'prepared, rolled back');
select pg_current_xact_id()::text as xid \gset ap_
prepare transaction 'cellar_abort';
select pg_current_wal_insert_lsn() as before \gset ap_
select pg_temp.us(clock_timestamp()) as not_before \gset ap_
rollback prepared 'cellar_abort';
select 'abort_prepared.xid=' || :'ap_xid';
select 'abort_prepared.before=' || :'ap_before';
select 'abort_prepared.after=' || pg_current_wal_insert_lsn();
select 'abort_prepared.not_before_us=' || :'ap_not_before';
select 'abort_prepared.not_after_us=' || pg_temp.us(clock_timestamp());

-- A plain commit that drops a table (relations, dropped statistics, invalidations).
begin;
drop table doomed2;
select pg_current_xact_id()::text as xid \gset drop_
select pg_current_wal_insert_lsn() as before \gset drop_
commit;
select 'commit_drop.xid=' || :'drop_xid';
select 'commit_drop.before=' || :'drop_before';
select 'commit_drop.after=' || pg_current_wal_insert_lsn();
select 'commit_drop.time_us=' || pg_temp.us(pg_xact_commit_timestamp(:'drop_xid'::xid));

-- An index build that WAL-logs its pages as full-page images, many blocks per record.
create index g_gist on g using gist (p);

-- One record of about 2.4 MB: main data with a long header, across more than two segments.
select pg_current_wal_insert_lsn() as before \gset msg_
select pg_logical_emit_message(false, 'cellar', repeat('0123456789abcdef', 150000)) as after \gset msg_
select 'message.before=' || :'msg_before';
select 'message.end=' || :'msg_after';

-- The restore point: pg_create_restore_point returns where its record ends.
select pg_current_wal_insert_lsn() as before \gset rp_
select pg_create_restore_point('before_upgrade') as end \gset rp_
select 'restore_point.name=before_upgrade';
select 'restore_point.before=' || :'rp_before';
select 'restore_point.end=' || :'rp_end';
EOF

# A commit under a replication origin (XLR_BLOCK_ID_ORIGIN, XACT_XINFO_HAS_ORIGIN), in its own session.
sql >>"$base/expected.properties" <<'EOF'
create function pg_temp.us(timestamptz) returns bigint language sql
    as $$ select (extract(epoch from $1) * 1000000)::bigint $$;
set wal_compression = pglz;
select pg_replication_origin_session_setup('cellar_origin') \gset
begin;
select pg_replication_origin_xact_setup('0/ABCDEF0', '2001-02-03 04:05:06.789+00') \gset
insert into t values (100005, 'from an origin');
select pg_current_xact_id()::text as xid \gset origin_
select pg_current_wal_insert_lsn() as before \gset origin_
select pg_temp.us(clock_timestamp()) as not_before \gset origin_
commit;
select 'origin_commit.xid=' || :'origin_xid';
select 'origin_commit.before=' || :'origin_before';
select 'origin_commit.after=' || pg_current_wal_insert_lsn();
select 'origin_commit.not_before_us=' || :'origin_not_before';
select 'origin_commit.not_after_us=' || pg_temp.us(clock_timestamp());
select 'origin_commit.origin_id=' || roident from pg_replication_origin where roname = 'cellar_origin';
select pg_replication_origin_session_reset() \gset
EOF

# Compressed full-page images: pglz, then lz4 and zstd where the build has them.
for method in pglz lz4 zstd; do
    if sql -c "set wal_compression = '$method'" >/dev/null 2>&1; then
        sql >>"$base/expected.properties" <<EOF
set wal_compression = '$method';
checkpoint;
update t set v = v || ' $method' where id between 1000 and 1100;
select 'compression.$method=' || pg_current_wal_insert_lsn();
EOF
    fi
done

# A last commit, so that "the newest commit" has something after the restore point, then the end.
sql >>"$base/expected.properties" <<'EOF'
create function pg_temp.us(timestamptz) returns bigint language sql
    as $$ select (extract(epoch from $1) * 1000000)::bigint $$;
begin;
insert into t values (100006, 'last');
select pg_current_xact_id()::text as xid \gset last_
commit;
select 'last_commit.xid=' || :'last_xid';
select 'last_commit.time_us=' || pg_temp.us(pg_xact_commit_timestamp(:'last_xid'::xid));
select pg_walfile_name(pg_current_wal_insert_lsn()) as segment \gset last_
select 'end=' || pg_switch_wal();
select 'last_segment=' || :'last_segment';
EOF
last_segment=$(sed -n 's/^last_segment=//p' "$base/expected.properties")

for _ in $(seq 1 600); do
    [ -f "$base/archive/$last_segment" ] && break
    sleep 0.1
done
[ -f "$base/archive/$last_segment" ] || { echo "segment $last_segment was not archived" >&2; exit 1; }
as_server "$bindir/pg_ctl" -D "$base/data" -w stop >/dev/null

rm -rf "$out"
mkdir -p "$out"
segments=()
for f in $(ls "$base/archive" | sort); do
    if [[ "$f" > "$first_segment" || "$f" == "$first_segment" ]] && [[ "$f" < "$last_segment" || "$f" == "$last_segment" ]]; then
        gzip -9 -n -c "$base/archive/$f" >"$out/$f.gz"
        segments+=("$f")
    fi
done
{
    echo "# Written by generate-fixtures.sh; LSNs as PostgreSQL prints them, times in microseconds since 1970."
    echo "major=$major"
    echo "start=$start_lsn"
    echo "segments=$(IFS=,; echo "${segments[*]}")"
    grep -v '^last_segment=' "$base/expected.properties"
} >"$out/expected.properties"
if [ "$major" = 15 ] && [ -x /usr/lib/postgresql/15/bin/pg_waldump ]; then
    # Every record as PostgreSQL's own reader sees it: start LSN, resource manager, total length, xid.
    { /usr/lib/postgresql/15/bin/pg_waldump -p "$base/archive" "${segments[0]}" "$last_segment" 2>/dev/null || true; } \
        | sed -E 's/^rmgr: ([A-Za-z0-9]+) +len \(rec\/tot\): +[0-9]+\/ *([0-9]+), tx: +([0-9]+), lsn: ([0-9A-F]+\/[0-9A-F]+), .*/\4 \1 \2 \3/' \
        | gzip -9 -n >"$out/pg_waldump.txt.gz"
fi
echo "wrote ${#segments[@]} segments to $out"
