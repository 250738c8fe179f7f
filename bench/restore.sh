#!/usr/bin/env bash
# Restores of one full backup of the backup benchmark's cached dataset (PostgreSQL 15, pgbench -s 100
# plus a table of ~3x-compressible rows, 2.8 GB): Cellar (its restore path: plan, export) against
# cp -a of a plain copy (the floor), tar -x of an uncompressed pg_basebackup tar, pgBackRest
# (zst:3, process-max 2) and Barman (backup_method=postgres). Every backup is taken once, untimed;
# then every timed run restores it into an empty directory on the same disk, with a cold page
# cache; runs interleaved round-robin; medians and Cellar/peer ratios as tables.
#   bench/restore.sh [runs=3]
# Environment:
#   RESTORE_BENCH_VARIANTS  which variants, interleaved in this order (default: "cp tar pgbackrest barman
#                           cellar cellar-1job"); cellar restores with one job per processor, cellar-1job
#                           with one
#   RESTORE_BENCH_DIR       dataset cache and work directories (default: $BACKUP_BENCH_DIR, else
#                           /var/tmp/cellar-bench). The dataset is bench/backup.sh's, built by
#                           `bench/backup.sh --dataset-only` when missing (BACKUP_BENCH_SCALE/_ROWS apply).
#   RESTORE_BENCH_CACHE     cold: drop the page cache before every run (needs root; the default when
#                           allowed); warm: read the variant's backup into the page cache before its run
#   RESTORE_BENCH_KEEP=1    keep the work directory (logs, configurations) after the run; the backups
#                           and restored directories are always deleted
#   CELLAR_BENCH_JAVA_OPTS  extra JVM options for Cellar (its backup and its restores)
#   CELLAR_BENCH_ARGS       extra BackupBench options for Cellar's one untimed backup
# See bench/README.md ("Restore") for every choice made here.
set -euo pipefail

RUNS=3
for arg in "$@"; do
  if [[ "$arg" =~ ^[1-9][0-9]*$ ]]; then RUNS=$arg
  else echo "usage: bench/restore.sh [runs=3]" >&2; exit 2; fi
done
ALL_VARIANTS="cp tar pgbackrest barman cellar cellar-1job"
VARIANTS=${RESTORE_BENCH_VARIANTS:-$ALL_VARIANTS}
PARENT=${RESTORE_BENCH_DIR:-${BACKUP_BENCH_DIR:-/var/tmp/cellar-bench}}
PGBIN=/usr/lib/postgresql/15/bin
STANZA=bench
BARMAN_SERVER=bench
BARMAN_SLOT=barman_bench   # the name backup.sh uses: each script drops the other's leftover
JOBS=$(nproc)

say() { printf '%s\n' "$*" >&2; }
die() { say "restore.sh: $*"; exit 1; }
now() { date +%s.%N; }
elapsed_since() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.0f", b - a}'; }

read -r -a VARIANT_LIST <<<"$VARIANTS"
[ ${#VARIANT_LIST[@]} -gt 0 ] || die "RESTORE_BENCH_VARIANTS is empty"
for v in "${VARIANT_LIST[@]}"; do
  case " $ALL_VARIANTS " in *" $v "*) ;; *) die "unknown variant $v (known: $ALL_VARIANTS)";; esac
done
has_variant() { case " ${VARIANT_LIST[*]} " in *" $1 "*) return 0;; *) return 1;; esac; }
has_cellar() { has_variant cellar || has_variant cellar-1job; }

cd "$(dirname "$0")/.."
REPO_ROOT=$PWD
BENCH_START=$(now)

# ---- 1. Packages and the dataset: bench/backup.sh's, built by it when missing ------------------
# backup.sh installs what is missing from Debian (PostgreSQL 15, pgBackRest, Barman when asked for,
# zstd, time, python3), checks the cached dataset's recipe and builds it if there is none.
PEERS="pgbackrest"
has_variant barman && PEERS="pgbackrest barman"
say "checking packages and the cached dataset (bench/backup.sh --dataset-only)"
BACKUP_BENCH_DIR=$PARENT BACKUP_BENCH_VARIANTS=$PEERS BACKUP_BENCH_KEEP=0 bash bench/backup.sh --dataset-only \
  || die "bench/backup.sh --dataset-only failed"
for b in pg_ctl pg_basebackup psql; do [ -x "$PGBIN/$b" ] || die "missing $PGBIN/$b"; done
command -v pgbackrest >/dev/null || die "missing pgbackrest"
! has_variant barman || command -v barman >/dev/null || die "missing barman"
[ -x /usr/bin/time ] || die "missing /usr/bin/time (Debian package time)"

# ---- Who runs the server (as backup.sh) --------------------------------------------------------
AS_PG=()
PG_UID=$(id -u) PG_GID=$(id -g)
if [ "$(id -u)" -eq 0 ]; then
  PG_UID=$(id -u nobody) PG_GID=$(id -g nobody)
  AS_PG=(setpriv --reuid="$PG_UID" --regid="$PG_GID" --clear-groups)
fi
as_pg() { ${AS_PG[@]+"${AS_PG[@]}"} "$@"; }
pg_own() { [ ${#AS_PG[@]} -eq 0 ] || chown "$PG_UID:$PG_GID" "$@"; }

PARENT=$(readlink -f "$PARENT")
exec 9>"$PARENT/lock"
flock -n 9 || die "another bench is using $PARENT (lock $PARENT/lock)"
DATASET=$PARENT/dataset
DATA=$DATASET/data
PWFILE=$DATASET/repl.password
[ -f "$DATASET/READY" ] || die "no dataset in $DATASET after bench/backup.sh --dataset-only"
[ "$(stat -c %u "$DATA")" = "$PG_UID" ] || die "$DATA belongs to uid $(stat -c %u "$DATA"), not the server user $PG_UID"

WORK=$(mktemp -d "$PARENT/restore-work.XXXXXX")
chmod 755 "$WORK"
SOCK=$WORK/sock LOGS=$WORK/logs SOURCES=$WORK/sources TARGETS=$WORK/targets RESULTS=$WORK/results.tsv
mkdir -p "$SOCK" "$LOGS" "$SOURCES" "$TARGETS"
chmod 755 "$SOURCES" "$TARGETS"
pg_own "$SOCK"
PGLOG=$LOGS/postgres.log
: >"$PGLOG"
pg_own "$PGLOG"
SERVER_STARTED=0
RECEIVE_WAL_PID=""
OUT="" ERR=""

stop_receive_wal() {
  if [ -n "$RECEIVE_WAL_PID" ] && kill -0 "$RECEIVE_WAL_PID" 2>/dev/null; then
    kill -TERM -- "-$RECEIVE_WAL_PID" 2>/dev/null || true   # its own process group (setsid)
    for _ in $(seq 1 50); do kill -0 "$RECEIVE_WAL_PID" 2>/dev/null || break; sleep 0.1; done
  fi
  RECEIVE_WAL_PID=""
}
drop_barman_slot() {
  "$PGBIN/psql" -X -q -h "$SOCK" -p "$PORT" -U postgres -d postgres \
    -c "select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = '$BARMAN_SLOT' and not active" \
    >/dev/null 2>&1 || true
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_receive_wal
  if [ "$SERVER_STARTED" = 1 ]; then
    drop_barman_slot
    as_pg "$PGBIN/pg_ctl" -D "$DATA" -m fast -w -t 120 stop >/dev/null 2>&1 \
      || as_pg "$PGBIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  if [ $rc -ne 0 ]; then
    say "restore.sh failed (exit $rc). Last lines of the logs:"
    for f in "$PGLOG" "$OUT" "$ERR"; do
      [ -n "$f" ] && [ -s "$f" ] && { say "--- $f"; tail -n 20 "$f" >&2; }
    done
  fi
  if [ "${RESTORE_BENCH_KEEP:-0}" = 1 ] || [ $rc -ne 0 ]; then
    rm -rf "$TARGETS" "$SOURCES" "$WORK/pgbackrest/repo" "$WORK/barman/home/$BARMAN_SERVER/base" # the bulk; logs stay
    say "work directory kept: $WORK"
  else
    rm -rf "$WORK"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

source bench/common.sh
PORT=$(free_port) || die "found no free TCP port on 127.0.0.1"
q() { "$PGBIN/psql" -X -A -t -q -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" -U postgres -d "${QDB:-bench}" -c "$1"; }

# ---- 2. Build Cellar's bench module (only for the cellar variants) -----------------------------
if has_cellar; then
  source scripts/find-jdk.sh
  say "building Cellar's bench module (mvn -pl bench -am install)"
  # (Maven's output to stderr: stdout carries only the tables.)
  mvn -B -q -ntp -pl bench -am install -DskipTests >&2
  mvn -B -q -ntp -pl bench dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=runtime >&2
  private_classpath "$WORK"
fi
cellar_java() { # main class, arguments...
  # shellcheck disable=SC2206
  local java=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED ${CELLAR_BENCH_JAVA_OPTS:-} -cp "$CLASSPATH_BENCH")
  "${java[@]}" "$@"
}
# What bin/backupctl adds (docs/operations.md): a class-data sharing archive of what `backupctl
# --version` loads, made once (untimed, section 7) and mapped by every measured run.
# RESTORE_BENCH_CDS=off measures without it.
CELLAR_CDS=()
if [ "${RESTORE_BENCH_CDS:-on}" != off ]; then
  CELLAR_CDS=(-Xlog:cds*=off "-XX:SharedArchiveFile=$WORK/cellar-cds.jsa")
fi

# ---- 3. Cache mode ------------------------------------------------------------------------------
CACHE=${RESTORE_BENCH_CACHE:-}
if [ -z "$CACHE" ]; then
  if [ "$(id -u)" -eq 0 ] && sync && (echo 3 >/proc/sys/vm/drop_caches) 2>/dev/null; then CACHE=cold; else CACHE=warm; fi
fi
case "$CACHE" in
  cold) (echo 3 >/proc/sys/vm/drop_caches) 2>/dev/null || die "RESTORE_BENCH_CACHE=cold needs root and a writable /proc/sys/vm/drop_caches" ;;
  warm) ;;
  *) die "RESTORE_BENCH_CACHE must be cold or warm" ;;
esac

# ---- 4. The server, as backup.sh runs it while measuring ---------------------------------------
# The same settings as backup.sh's measure phase (data/bench.conf, rewritten at every start; keep
# the two in step): WAL archived by pgBackRest's archive-push, so that every backup below is
# complete and consistent, as in the backup benchmark.
PGBR=$WORK/pgbackrest
mkdir -p "$PGBR/log" "$PGBR/lock" "$PGBR/spool" "$PGBR/repo"
cat >"$PGBR/pgbackrest.conf" <<EOF
[global]
repo1-path=$PGBR/repo
repo1-retention-full=99
compress-type=zst
compress-level=3
process-max=2
start-fast=y
archive-check=y
archive-timeout=300
log-level-console=warn
log-level-stderr=warn
log-level-file=info
log-path=$PGBR/log
lock-path=$PGBR/lock
spool-path=$PGBR/spool

[$STANZA]
pg1-path=$DATA
pg1-port=$PORT
pg1-socket-path=$SOCK
pg1-user=postgres
EOF
pg_own -R "$PGBR"
pgbr() { as_pg pgbackrest --config="$PGBR/pgbackrest.conf" --stanza="$STANZA" "$@"; }

{
  echo "# written by bench/restore.sh (the settings of bench/backup.sh's measure phase); rewritten at every start"
  echo "port = $PORT"
  echo "unix_socket_directories = '$SOCK'"
  echo "autovacuum = off"
  echo "checkpoint_timeout = 1h"
  echo "listen_addresses = '127.0.0.1'"
  echo "wal_level = replica"
  echo "max_wal_senders = 10"
  echo "max_replication_slots = 10"
  echo "max_wal_size = 4GB"
  echo "archive_mode = on"
  echo "archive_command = 'pgbackrest --config=$PGBR/pgbackrest.conf --stanza=$STANZA archive-push \"%p\"'"
} >"$WORK/bench.conf"
pg_own "$WORK/bench.conf"
as_pg cp "$WORK/bench.conf" "$DATA/bench.conf"
as_pg "$PGBIN/pg_ctl" -D "$DATA" -w -t 300 -l "$PGLOG" start >/dev/null || die "the server did not start (see $PGLOG)"
SERVER_STARTED=1
DB_BYTES=$(q "select sum(pg_database_size(datname))::bigint from pg_database")
say "server: PostgreSQL $(q 'show server_version') on 127.0.0.1:$PORT, data in $DATA (all databases $(awk -v b="$DB_BYTES" 'BEGIN {printf "%.2f GB", b/1e9}')); page cache: $CACHE"
PGPASSFILE=$WORK/pgpass
(umask 077; printf '127.0.0.1:%s:*:bench:%s\n' "$PORT" "$(cat "$PWFILE")" >"$PGPASSFILE")
export PGPASSFILE
CONNINFO="host=127.0.0.1 port=$PORT user=bench sslmode=disable"

archiver_idle() { # wait until no WAL segment awaits archiving
  local deadline=$(( $(date +%s) + 300 ))
  while compgen -G "$DATA/pg_wal/archive_status/*.ready" >/dev/null; do
    [ "$(date +%s)" -lt "$deadline" ] || die "WAL archiving is stuck (see $PGLOG and $PGBR/log)"
    sleep 0.2
  done
}
pgbr stanza-create >"$LOGS/pgbackrest-stanza.log" 2>&1 || { cat "$LOGS/pgbackrest-stanza.log" >&2; die "pgbackrest stanza-create failed"; }
q "select pg_switch_wal()" >/dev/null
archiver_idle

BARMAN_CONF=$WORK/barman/barman.conf
barman_() { barman -c "$BARMAN_CONF" "$@"; }
if has_variant barman; then
  mkdir -p "$WORK/barman/home"
  cat >"$BARMAN_CONF" <<EOF
[barman]
barman_user = $(id -un)
barman_home = $WORK/barman/home
log_file = $LOGS/barman.log
log_level = INFO
minimum_redundancy = 0

[$BARMAN_SERVER]
description = bench/restore.sh
conninfo = host=$SOCK port=$PORT user=postgres dbname=postgres
streaming_conninfo = $CONNINFO
backup_method = postgres
streaming_archiver = on
slot_name = $BARMAN_SLOT
create_slot = auto
immediate_checkpoint = true
path_prefix = $PGBIN
EOF
  q "select pg_drop_replication_slot('$BARMAN_SLOT') from pg_replication_slots where slot_name = '$BARMAN_SLOT'" >/dev/null
  setsid barman -c "$BARMAN_CONF" receive-wal "$BARMAN_SERVER" >"$LOGS/barman-receive-wal.log" 2>&1 &
  RECEIVE_WAL_PID=$!
  deadline=$(( $(date +%s) + 120 ))
  until [ "$(q "select active from pg_replication_slots where slot_name = '$BARMAN_SLOT'")" = t ]; do
    kill -0 "$RECEIVE_WAL_PID" 2>/dev/null || { cat "$LOGS/barman-receive-wal.log" >&2; die "barman receive-wal exited"; }
    [ "$(date +%s)" -lt "$deadline" ] || { cat "$LOGS/barman-receive-wal.log" >&2; die "barman receive-wal did not start streaming"; }
    sleep 0.2
  done
  until barman_ switch-wal --force --archive --archive-timeout 30 "$BARMAN_SERVER" >"$LOGS/barman-switch-wal.log" 2>&1 \
        && barman_ check "$BARMAN_SERVER" >"$LOGS/barman-check.log" 2>&1; do
    kill -0 "$RECEIVE_WAL_PID" 2>/dev/null || { cat "$LOGS/barman-receive-wal.log" >&2; die "barman receive-wal exited"; }
    [ "$(date +%s)" -lt "$deadline" ] || { cat "$LOGS/barman-switch-wal.log" "$LOGS/barman-check.log" >&2; die "barman check did not pass"; }
    sleep 1
  done
  archiver_idle
fi

# ---- 5. The backups, each taken once (untimed) -------------------------------------------------
prepare_backup() { archiver_idle; q "checkpoint" >/dev/null; }
say "taking the backups (once, untimed)"
t0=$(now)
# pg_basebackup -Ft -X none: the tar variant's input and, unpacked, the cp variant's plain directory
# and the size every restore is checked against. Always taken.
prepare_backup
"$PGBIN/pg_basebackup" -d "$CONNINFO application_name=bench_restore" -D "$SOURCES/tar" -Ft -X none \
  --checkpoint=fast --no-password >"$LOGS/pg_basebackup.log" 2>&1 || { cat "$LOGS/pg_basebackup.log" >&2; die "pg_basebackup failed"; }
[ -f "$SOURCES/tar/base.tar" ] && [ -f "$SOURCES/tar/backup_manifest" ] || die "pg_basebackup wrote no base.tar and backup_manifest"
mkdir -m 700 "$SOURCES/plain"
tar -xf "$SOURCES/tar/base.tar" -C "$SOURCES/plain"
cp "$SOURCES/tar/backup_manifest" "$SOURCES/plain/"
pg_own "$SOURCES/plain"
REF_BYTES=$(du -sb "$SOURCES/plain" | cut -f1)
say "  pg_basebackup -Ft -X none: $(du -sb "$SOURCES/tar" | awk '{printf "%.0f MB", $1/1e6}'); unpacked (the plain copy): $(awk -v b="$REF_BYTES" 'BEGIN {printf "%.0f MB", b/1e6}')"
if has_variant pgbackrest; then
  prepare_backup
  pgbr backup --type=full >"$LOGS/pgbackrest-backup.log" 2>&1 || { cat "$LOGS/pgbackrest-backup.log" >&2; die "pgbackrest backup failed"; }
  PGBR_SET=$(find "$PGBR/repo/backup/$STANZA" -mindepth 1 -maxdepth 1 -type d -name '*F' | head -n 1)
  [ -n "$PGBR_SET" ] && [ -f "$PGBR_SET/backup.manifest" ] || die "pgbackrest: no complete backup set in $PGBR/repo"
  say "  pgBackRest set $(basename "$PGBR_SET"): $(du -sb "$PGBR_SET" | awk '{printf "%.0f MB", $1/1e6}')"
fi
if has_variant barman; then
  prepare_backup
  barman_ archive-wal "$BARMAN_SERVER" >>"$LOGS/barman-archive-wal.log" 2>&1 || die "barman archive-wal failed"
  barman_ backup --wait --wait-timeout 300 "$BARMAN_SERVER" >"$LOGS/barman-backup.log" 2>&1 || { cat "$LOGS/barman-backup.log" >&2; die "barman backup failed"; }
  BARMAN_ID=$(barman_ list-backup --minimal "$BARMAN_SERVER" | head -n 1)
  status=$(barman_ show-backup "$BARMAN_SERVER" "$BARMAN_ID" | awk -F': *' '/^ *Status/ {print $2; exit}')
  [ "$status" = DONE ] || die "barman: backup $BARMAN_ID has status '$status', not DONE"
  BARMAN_BASE=$WORK/barman/home/$BARMAN_SERVER/base/$BARMAN_ID
  say "  Barman backup $BARMAN_ID ($status): $(du -sb "$BARMAN_BASE" | awk '{printf "%.0f MB", $1/1e6}')"
fi
CELLAR_REPO=$SOURCES/cellar-repo
if has_cellar; then
  prepare_backup
  # shellcheck disable=SC2086
  cellar_java dev.cellar.bench.BackupBench --host 127.0.0.1 --port "$PORT" --user bench --password-file "$PWFILE" \
    --repository "$CELLAR_REPO" --compression zstd:3 ${CELLAR_BENCH_ARGS:-} >"$LOGS/cellar-backup.out" 2>"$LOGS/cellar-backup.err" \
    || { tail -n 20 "$LOGS/cellar-backup.err" >&2; die "Cellar's BackupBench failed"; }
  grep -q '^stored_bytes=' "$LOGS/cellar-backup.out" || die "Cellar's BackupBench printed no stored_bytes"
  say "  Cellar, zstd:3: $(du -sb "$CELLAR_REPO" | awk '{printf "%.0f MB", $1/1e6}') ($(tr '\n' ' ' <"$LOGS/cellar-backup.out"))"
fi
# Nothing of the server is needed any more: restores read only their backups.
stop_receive_wal
if has_variant barman; then
  deadline=$(( $(date +%s) + 30 ))   # the walsender of receive-wal ends a moment after it
  while [ "$(q "select count(*) from pg_replication_slots where slot_name = '$BARMAN_SLOT' and active")" != 0 ]; do
    [ "$(date +%s)" -lt "$deadline" ] || die "the slot $BARMAN_SLOT stays active after stopping barman receive-wal"
    sleep 0.2
  done
  drop_barman_slot
fi
archiver_idle
as_pg "$PGBIN/pg_ctl" -D "$DATA" -m fast -w -t 300 stop >/dev/null
SERVER_STARTED=0
sync
say "backups taken in $(elapsed_since "$t0") s; server stopped"

# ---- 6. One run of one variant ------------------------------------------------------------------
source_of() { # variant -> what its restore reads
  case "$1" in
    cp) echo "$SOURCES/plain" ;;
    tar) echo "$SOURCES/tar/base.tar" ;;
    pgbackrest) echo "$PGBR/repo" ;;
    barman) echo "$BARMAN_BASE" ;;
    cellar|cellar-1job) echo "$CELLAR_REPO" ;;
  esac
}
settle_cache() { # variant
  sync
  if [ "$CACHE" = cold ]; then
    echo 3 >/proc/sys/vm/drop_caches
  else
    find "$(source_of "$1")" -type f -print0 | xargs -0 cat >/dev/null 2>&1 || true
  fi
}
die_check() { die "$VARIANT run $LABEL: $* (restored into $TARGET; see $OUT and $ERR)"; }
check_restore() { # minimal: a data directory of PostgreSQL 15 of about the right size
  local t=$TARGET bytes
  [ "$(cat "$t/PG_VERSION" 2>/dev/null)" = 15 ] || die_check "no PG_VERSION saying 15"
  [ "$(stat -c %s "$t/global/pg_control" 2>/dev/null)" = 8192 ] || die_check "no 8192-byte global/pg_control"
  [ -f "$t/backup_label" ] || die_check "no backup_label"
  [ -d "$t/base" ] && [ -d "$t/pg_wal" ] || die_check "no base/ or pg_wal/"
  case "$VARIANT" in
    pgbackrest|barman|cellar|cellar-1job)
      [ -f "$t/recovery.signal" ] || die_check "no recovery.signal"
      grep -q restore_command "$t/postgresql.auto.conf" || die_check "no restore_command in postgresql.auto.conf" ;;
  esac
  bytes=$(du -sb "$t" | cut -f1)
  awk -v b="$bytes" -v r="$REF_BYTES" 'BEGIN {exit !(b > r * 0.97 && b < r * 1.03)}' \
    || die_check "$bytes bytes restored, not within 3 % of the plain copy's $REF_BYTES"
  echo "$bytes"
}

run_variant() { # variant label
  VARIANT=$1 LABEL=$2
  TARGET=$TARGETS/$1-$2
  OUT=$LOGS/$VARIANT-$LABEL.out ERR=$LOGS/$VARIANT-$LABEL.err
  local timef=$LOGS/$VARIANT-$LABEL.time cmd=() extra=""
  # Every restore goes into a new, empty directory of mode 700 (what PostgreSQL wants).
  mkdir -m 700 "$TARGET"
  case "$VARIANT" in
    cp)
      cmd=(cp -a "$SOURCES/plain/." "$TARGET/") ;;
    tar)
      cmd=(tar -xf "$SOURCES/tar/base.tar" -C "$TARGET") ;;
    pgbackrest)
      pg_own "$TARGET"
      # process-max=2 from the configuration; --delta is off by default (the target is empty).
      cmd=(${AS_PG[@]+"${AS_PG[@]}"} pgbackrest --config="$PGBR/pgbackrest.conf" --stanza="$STANZA"
           --pg1-path="$TARGET" --type=immediate restore) ;;
    barman)
      cmd=(barman -c "$BARMAN_CONF" recover --get-wal --target-immediate --jobs 2 "$BARMAN_SERVER" "$BARMAN_ID" "$TARGET") ;;
    cellar)
      cmd=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED)
      # shellcheck disable=SC2206
      cmd+=(${CELLAR_BENCH_JAVA_OPTS:-} ${CELLAR_CDS[@]+"${CELLAR_CDS[@]}"} -cp "$CLASSPATH_BENCH" dev.cellar.bench.RestoreBench
            --repository "$CELLAR_REPO" --dest "$TARGET" --jobs "$JOBS") ;;
    cellar-1job)
      cmd=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED)
      # shellcheck disable=SC2206
      cmd+=(${CELLAR_BENCH_JAVA_OPTS:-} ${CELLAR_CDS[@]+"${CELLAR_CDS[@]}"} -cp "$CLASSPATH_BENCH" dev.cellar.bench.RestoreBench
            --repository "$CELLAR_REPO" --dest "$TARGET" --jobs 1) ;;
  esac
  settle_cache "$VARIANT"
  local t0 t1 rc=0
  t0=$(now)
  # The tool, then sync -f of the target's filesystem, as one measured command: whatever a tool
  # left unflushed is flushed (and its kernel CPU counted) before the clock stops.
  /usr/bin/time -f 'cpu %U %S %M' -o "$timef" sh -c '"$@" && exec sync -f "$0"' "$TARGET" "${cmd[@]}" >"$OUT" 2>"$ERR" || rc=$?
  t1=$(now)
  [ "$rc" = 0 ] || die "$VARIANT run $LABEL failed (exit $rc; see $ERR)"
  local bytes
  bytes=$(check_restore)
  case "$VARIANT" in
    cellar|cellar-1job)
      grep -q '^data_bytes=' "$OUT" || die_check "RestoreBench printed no data_bytes"
      grep -q '^wal_files=0$' "$OUT" || die_check "RestoreBench staged WAL"
      extra="RestoreBench says $(grep -o 'data_bytes=[0-9]*' "$OUT"), $(grep -o 'elapsed_ms=[0-9]*' "$OUT")" ;;
    *) extra="" ;;
  esac
  # variant label wallSeconds user sys maxRssKiB bytes
  awk '$1 == "cpu" {print $2, $3, $4}' "$timef" \
    | awk -v v="$VARIANT" -v l="$LABEL" -v t0="$t0" -v t1="$t1" -v b="$bytes" \
      '{printf "%s\t%s\t%.3f\t%.2f\t%.2f\t%d\t%.0f\n", v, l, t1 - t0, $1, $2, $3, b}' \
    | tee -a "$RESULTS" \
    | awk -F'\t' -v x="$extra" '{
        printf "  %-12s run %-3s %7.2f s wall  %6.2f CPU-s (user %.2f)  peak RSS %6.1f MB  %7.1f MB written%s\n", \
          $1, $2, $3, $4 + $5, $4, $6 * 1024 / 1e6, $7 / 1e6, (x == "" ? "" : "  [" x "]") }' >&2
  # Free the space again (untimed).
  rm -rf "$TARGET"
}

# ---- 7. Rounds ----------------------------------------------------------------------------------
if has_cellar && [ ${#CELLAR_CDS[@]} -gt 0 ]; then
  # As the launcher does before its first command: `backupctl --version` writes the archive.
  cellar_java -Xlog:disable "-XX:ArchiveClassesAtExit=$WORK/cellar-cds.jsa" dev.cellar.server.cli.BackupCtl --version \
    >/dev/null 2>"$LOGS/cellar-cds.err" && [ -s "$WORK/cellar-cds.jsa" ] \
    || die "could not write the class-data archive (see $LOGS/cellar-cds.err)"
  say "class-data archive for Cellar's runs: $(du -h "$WORK/cellar-cds.jsa" | cut -f1) (what backupctl --version loads)"
fi
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
say "load average before: $LOAD_BEFORE   ($(nproc) cores)"
: >"$RESULTS"
n=${#VARIANT_LIST[@]}
ROUND_SECONDS=()
for r in $(seq 1 "$RUNS"); do
  # Round r starts with the variant after the one that started round r-1: no variant always goes first.
  order=()
  for i in $(seq 0 $((n - 1))); do order+=("${VARIANT_LIST[$(( (i + r - 1) % n ))]}"); done
  say "round $r of $RUNS: ${order[*]}"
  tr0=$(now)
  for v in "${order[@]}"; do run_variant "$v" "$r"; done
  ROUND_SECONDS+=("$(elapsed_since "$tr0")")
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- 8. Medians and ratios ----------------------------------------------------------------------
ELAPSED=$(elapsed_since "$BENCH_START")
{
  echo
  echo "Restore of one full backup of PostgreSQL 15 ($(awk -v b="$DB_BYTES" 'BEGIN {printf "%.2f GB", b/1e9}') in all databases; the plain copy $(awk -v b="$REF_BYTES" 'BEGIN {printf "%.2f GB", b/1e9}')). Dataset:"
  sed -n 's/^\(database\|zstd\)/  \1/p' "$DATASET/info"
  echo "$RUNS interleaved runs per variant, medians; page cache $CACHE before every run; $(nproc) cores; server stopped;"
  echo "load average before $LOAD_BEFORE, after $LOAD_AFTER; rounds took ${ROUND_SECONDS[*]} s; whole bench ${ELAPSED} s."
  echo "Wall = tool start until it exits and the target is synced (sync -f). CPU = user+sys of the tool, its children"
  echo "and the final sync (getrusage via /usr/bin/time). Peak RSS = the largest single process (ru_maxrss), not the"
  echo "sum over a tool's processes. Written = du -sb of the restored directory. No tool stages WAL. MB = 10^6 bytes."
  echo
}
awk -F'\t' -v order="$VARIANTS" -v jobs="$JOBS" '
  function median(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  { v = $1; w[v] = w[v] " " $3; c[v] = c[v] " " ($4 + $5); cu[v] = cu[v] " " $4; m[v] = m[v] " " $6; b[v] = b[v] " " $7 }
  END {
    describe["cp"] = "cp -a of the plain copy (floor)"
    describe["tar"] = "tar -x of pg_basebackup -Ft -X none"
    describe["pgbackrest"] = "pgBackRest restore (zst:3), process-max 2"
    describe["barman"] = "Barman recover (backup_method=postgres), --jobs 2"
    describe["cellar"] = "Cellar (zstd:3), " jobs " jobs"
    describe["cellar-1job"] = "Cellar (zstd:3), 1 job"
    n = split(order, names, " ")
    print "| variant | wall s | CPU s (user) | peak RSS MB | written MB | MB/s |"
    print "|---|---|---|---|---|---|"
    for (i = 1; i <= n; i++) {
      v = names[i]
      W[v] = median(w[v]); C[v] = median(c[v]); M[v] = median(m[v]); B[v] = median(b[v])
      printf "| %s | %.2f | %.2f (%.2f) | %.1f | %.0f | %.0f |\n", describe[v], W[v], C[v], median(cu[v]), \
        M[v] * 1024 / 1e6, B[v] / 1e6, B[v] / 1e6 / W[v]
    }
    print ""
    if (!("cellar" in W) && !("cellar-1job" in W)) { print "(no Cellar runs: no Cellar/peer ratios)"; exit }
    print "| ratio Cellar / peer | wall | CPU | peak RSS |"
    print "|---|---|---|---|"
    split("cellar cellar-1job", ours, " ")
    for (k = 1; k <= 2; k++) {
      o = ours[k]
      if (!(o in W)) continue
      for (i = 1; i <= n; i++) {
        v = names[i]
        if (v == "cellar" || v == "cellar-1job") continue
        printf "| %s / %s | %.2f | %s | %.2f |\n", o, v, W[o] / W[v], \
          (C[v] > 0 ? sprintf("%.2f", C[o] / C[v]) : "–"), M[o] / M[v]
      }
    }
  }' "$RESULTS"
say "bench took ${ELAPSED} s; per-run numbers above (stderr)"
