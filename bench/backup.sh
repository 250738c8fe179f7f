#!/usr/bin/env bash
# Full base backups: Cellar against pg_basebackup -Ft (uncompressed, client-zstd:3, server-zstd:3
# with 2 workers), pgBackRest (zst:3, process-max 2) and Barman (backup_method=postgres), all taken
# from one PostgreSQL 15 server holding one cached dataset (pgbench + a table of realistic,
# ~3x-compressible rows); runs interleaved round-robin; medians and Cellar/peer ratios as tables.
#   bench/backup.sh [runs=3] [--rebuild] [--dataset-only]
#     runs            rounds; every round runs each variant once (default 3)
#     --rebuild       build the cached dataset afresh even if one is there
#     --dataset-only  build the dataset if needed, then stop (no backups)
# Environment:
#   BACKUP_BENCH_VARIANTS   which variants, interleaved in this order (default: "cellar cellar-daemon
#                           pg_basebackup pg_basebackup-client-zstd pg_basebackup-server-zstd pgbackrest
#                           barman"); cellar-daemon is Cellar in one JVM kept up between its runs, warmed
#                           up by one untimed backup, as in backupctl serve
#   BACKUP_BENCH_DIR        dataset cache and work directories (default /var/tmp/cellar-bench; not under
#                           /root). The dataset lives in $BACKUP_BENCH_DIR/dataset and is reused.
#   BACKUP_BENCH_CACHE      cold: drop the page cache before every run (needs root; the default when
#                           allowed); warm: read the data directory into the page cache before every run
#   BACKUP_BENCH_SCALE      pgbench scale of a new dataset (default 100, about 1.5 GB)
#   BACKUP_BENCH_ROWS       rows of the realistic table of a new dataset (default 1400000, about 1.1 GB)
#   BACKUP_BENCH_CPU=proc   measure the server's CPU from /proc even when a cgroup could be made
#   BACKUP_BENCH_KEEP=1     keep the work directory (logs, configurations) after the run
#   CELLAR_BENCH_JAVA_OPTS  extra JVM options for Cellar's backup
#   CELLAR_BENCH_ARGS       extra BackupBench options (e.g. "--workers 2 --pipe-bytes 8388608")
# Installs from Debian when missing (needs root): postgresql-15 postgresql-client-15 pgbackrest
# barman (only when the barman variant runs) zstd time, with --no-install-recommends. Never starts
# Debian's own clusters; a cluster that installing started is stopped again.
# See bench/README.md ("Full backup") for every choice made here.
set -euo pipefail

RUNS=3
REBUILD=0
DATASET_ONLY=0
for arg in "$@"; do
  case "$arg" in
    --rebuild) REBUILD=1 ;;
    --dataset-only) DATASET_ONLY=1 ;;
    *) if [[ "$arg" =~ ^[1-9][0-9]*$ ]]; then RUNS=$arg
       else echo "usage: bench/backup.sh [runs=3] [--rebuild] [--dataset-only]" >&2; exit 2; fi ;;
  esac
done
ALL_VARIANTS="cellar cellar-daemon pg_basebackup pg_basebackup-client-zstd pg_basebackup-server-zstd pgbackrest barman"
VARIANTS=${BACKUP_BENCH_VARIANTS:-$ALL_VARIANTS}
PARENT=${BACKUP_BENCH_DIR:-/var/tmp/cellar-bench}
SCALE=${BACKUP_BENCH_SCALE:-100}
ROWS=${BACKUP_BENCH_ROWS:-1400000}
PGBIN=/usr/lib/postgresql/15/bin
STANZA=bench
BARMAN_SERVER=bench
BARMAN_SLOT=barman_bench
[[ "$SCALE" =~ ^[1-9][0-9]*$ && "$ROWS" =~ ^[1-9][0-9]*$ ]] || { echo "BACKUP_BENCH_SCALE and BACKUP_BENCH_ROWS must be positive integers" >&2; exit 2; }

say() { printf '%s\n' "$*" >&2; }
die() { say "backup.sh: $*"; exit 1; }
now() { date +%s.%N; }
elapsed_since() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.0f", b - a}'; }

read -r -a VARIANT_LIST <<<"$VARIANTS"
[ ${#VARIANT_LIST[@]} -gt 0 ] || die "BACKUP_BENCH_VARIANTS is empty"
for v in "${VARIANT_LIST[@]}"; do
  case " $ALL_VARIANTS " in *" $v "*) ;; *) die "unknown variant $v (known: $ALL_VARIANTS)";; esac
done
has_variant() { case " ${VARIANT_LIST[*]} " in *" $1 "*) return 0;; *) return 1;; esac; }

cd "$(dirname "$0")/.."
REPO_ROOT=$PWD
BENCH_START=$(now)

# ---- 1. Debian's packages, when missing -------------------------------------------------------
pkgs=()
for b in initdb pg_ctl postgres pgbench; do [ -x "$PGBIN/$b" ] || { pkgs+=(postgresql-15); break; }; done
for b in psql pg_basebackup pg_receivewal; do [ -x "$PGBIN/$b" ] || { pkgs+=(postgresql-client-15); break; }; done
# pgBackRest is the server's WAL archiver (archive_command) whichever variants run: see README.
command -v pgbackrest >/dev/null || pkgs+=(pgbackrest)
if has_variant barman; then command -v barman >/dev/null || pkgs+=(barman); fi
command -v zstd >/dev/null || pkgs+=(zstd)
[ -x /usr/bin/time ] || pkgs+=(time)
command -v python3 >/dev/null || pkgs+=(python3)
if [ ${#pkgs[@]} -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || die "missing Debian packages ${pkgs[*]}; run as root to install them, or install them yourself"
  command -v apt-get >/dev/null || die "missing ${pkgs[*]} and no apt-get to install them with"
  online_before=""
  command -v pg_lsclusters >/dev/null && online_before=$(pg_lsclusters -h 2>/dev/null | awk '$4=="online" {print $1 "/" $2}')
  say "installing from Debian: ${pkgs[*]} (apt-get install --no-install-recommends)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
  # Debian's packaging may create and start a cluster ("15/main"): stop what installing started.
  if command -v pg_lsclusters >/dev/null; then
    for c in $(pg_lsclusters -h 2>/dev/null | awk '$4=="online" {print $1 "/" $2}'); do
      case " $online_before " in *" $c "*) continue;; esac
      say "stopping the Debian cluster $c that installing started (pg_ctlcluster ${c%/*} ${c#*/} stop)"
      pg_ctlcluster "${c%/*}" "${c#*/}" stop
    done
  fi
fi

# ---- Who runs the server ----------------------------------------------------------------------
AS_PG=()
PG_UID=$(id -u) PG_GID=$(id -g)
if [ "$(id -u)" -eq 0 ]; then
  id nobody >/dev/null 2>&1 || die "running as root needs the user 'nobody' to run PostgreSQL as"
  PG_UID=$(id -u nobody) PG_GID=$(id -g nobody)
  AS_PG=(setpriv --reuid="$PG_UID" --regid="$PG_GID" --clear-groups)
fi
as_pg() { ${AS_PG[@]+"${AS_PG[@]}"} "$@"; }
pg_own() { [ ${#AS_PG[@]} -eq 0 ] || chown "$PG_UID:$PG_GID" "$@"; }

case "$(readlink -f "$PARENT")/" in /root/*) die "BACKUP_BENCH_DIR must not be under /root (the server user cannot reach it)";; esac
mkdir -p "$PARENT"
chmod 755 "$PARENT"
PARENT=$(readlink -f "$PARENT")
exec 9>"$PARENT/lock"
flock -n 9 || die "another bench is using $PARENT (lock $PARENT/lock)"

DATASET=$PARENT/dataset
DATA=$DATASET/data
PWFILE=$DATASET/repl.password
# What the dataset is made of; a cached dataset built by another recipe is not reused silently.
RECIPE="backup-bench dataset v1: PostgreSQL 15, database bench, pgbench -i -s $SCALE, customer_events $ROWS rows (bench/realistic-rows.py seed 20261121), no data checksums, locale C"

WORK=$(mktemp -d "$PARENT/work.XXXXXX")
chmod 755 "$WORK"
SOCK=$WORK/sock LOGS=$WORK/logs TARGETS=$WORK/targets RESULTS=$WORK/results.tsv
mkdir -p "$SOCK" "$LOGS" "$TARGETS"
pg_own "$SOCK"
PGLOG=$LOGS/postgres.log
: >"$PGLOG"
pg_own "$PGLOG"
SERVER_STARTED=0
RECEIVE_WAL_PID=""
CELLAR_DAEMON_PID=""
CG_KIND=proc CG_SERVER="" CG_RECEIVE=""
OUT="" ERR=""

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$CELLAR_DAEMON_PID" ] && kill -0 "$CELLAR_DAEMON_PID" 2>/dev/null; then
    kill -TERM "$CELLAR_DAEMON_PID" 2>/dev/null || true
  fi
  if [ -n "$RECEIVE_WAL_PID" ] && kill -0 "$RECEIVE_WAL_PID" 2>/dev/null; then
    kill -TERM -- "-$RECEIVE_WAL_PID" 2>/dev/null || true   # its own process group (setsid)
    for _ in $(seq 1 50); do kill -0 "$RECEIVE_WAL_PID" 2>/dev/null || break; sleep 0.1; done
  fi
  if [ "$SERVER_STARTED" = 1 ]; then
    "$PGBIN/psql" -X -q -h "$SOCK" -p "$PORT" -U postgres -d postgres \
      -c "select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = '$BARMAN_SLOT' and not active" \
      >/dev/null 2>&1 || true
    as_pg "$PGBIN/pg_ctl" -D "$DATA" -m fast -w -t 120 stop >/dev/null 2>&1 \
      || as_pg "$PGBIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  for cg in "$CG_SERVER" "$CG_RECEIVE"; do
    [ -n "$cg" ] && [ -d "$cg" ] && { rmdir "$cg" 2>/dev/null || say "could not remove cgroup $cg (processes left in it?)"; }
  done
  if [ $rc -ne 0 ]; then
    say "backup.sh failed (exit $rc). Last lines of the logs:"
    for f in "$PGLOG" "$OUT" "$ERR"; do
      [ -n "$f" ] && [ -s "$f" ] && { say "--- $f"; tail -n 20 "$f" >&2; }
    done
  fi
  if [ "${BACKUP_BENCH_KEEP:-0}" = 1 ] || [ $rc -ne 0 ]; then
    rm -rf "$TARGETS" "$WORK"/pgbackrest/repo-* "$WORK/barman/home/$BARMAN_SERVER/base" # the bulk; logs stay
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

# The server's settings live in data/bench.conf (included by postgresql.conf), rewritten at every
# start: the port, socket and archive_command belong to this run's work directory.
write_bench_conf() { # build|measure
  {
    echo "# written by bench/backup.sh for its $1 phase; rewritten at every start"
    echo "port = $PORT"
    echo "unix_socket_directories = '$SOCK'"
    echo "autovacuum = off"
    echo "checkpoint_timeout = 1h"
    if [ "$1" = build ]; then
      # Loading only: nothing here needs to survive a crash (the dataset is synced after a clean stop).
      echo "listen_addresses = ''"
      echo "wal_level = minimal"
      echo "max_wal_senders = 0"
      echo "archive_mode = off"
      echo "fsync = off"
      echo "synchronous_commit = off"
      echo "full_page_writes = off"
      echo "maintenance_work_mem = 512MB"
      echo "max_wal_size = 8GB"
    else
      echo "listen_addresses = '127.0.0.1'"
      echo "wal_level = replica"
      echo "max_wal_senders = 10"
      echo "max_replication_slots = 10"
      echo "max_wal_size = 4GB"
      echo "archive_mode = on"
      echo "archive_command = 'pgbackrest --config=$WORK/pgbackrest/pgbackrest.conf --stanza=$STANZA archive-push \"%p\"'"
    fi
  } >"$WORK/bench.conf"
  pg_own "$WORK/bench.conf"
  as_pg cp "$WORK/bench.conf" "$DATA/bench.conf"
}

start_server() { # build|measure
  write_bench_conf "$1"
  local start=(${AS_PG[@]+"${AS_PG[@]}"} "$PGBIN/pg_ctl" -D "$DATA" -w -t 300 -l "$PGLOG" start)
  if [ -n "$CG_SERVER" ]; then
    # The postmaster and everything it forks (backends, walsenders, archive_command) in one cgroup.
    bash -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' _ "$CG_SERVER" "${start[@]}" >/dev/null \
      || die "the server did not start (see $PGLOG)"
  else
    "${start[@]}" >/dev/null || die "the server did not start (see $PGLOG)"
  fi
  SERVER_STARTED=1
}
stop_server() {
  as_pg "$PGBIN/pg_ctl" -D "$DATA" -m fast -w -t 300 stop >/dev/null
  SERVER_STARTED=0
}

# Bytes on stdin and their size after zstd -3 (one thread): "raw compressed".
zstd_sizes() {
  local fifo=$WORK/zstd.fifo wc_pid c
  rm -f "$fifo"; mkfifo "$fifo"
  wc -c <"$fifo" >"$WORK/zstd.raw" &
  wc_pid=$!
  c=$(tee "$fifo" | zstd -3 -T1 -q -c | wc -c)
  wait "$wc_pid"
  rm -f "$fifo"
  echo "$(cat "$WORK/zstd.raw") $c"
}
ratio_of_files() { cat "$@" | zstd_sizes; } # files... -> "raw compressed"
relation_files() { # relation -> its main-fork segment files
  local p
  p=$(q "select pg_relation_filepath('$1')")
  ls "$DATA/$p" "$DATA/$p".[0-9]* 2>/dev/null
}

# ---- 2. The dataset, built once and cached -----------------------------------------------------
build_dataset() {
  local t0 t1
  t0=$(now)
  say "building the dataset in $DATASET: pgbench -i -s $SCALE and $ROWS realistic rows (takes minutes)"
  rm -rf "$DATASET"
  mkdir -p "$DATASET"
  chmod 755 "$DATASET"
  mkdir "$DATA"
  pg_own "$DATA"
  as_pg "$PGBIN/initdb" -D "$DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 \
    --locale=C --no-sync >"$LOGS/initdb.log" 2>&1 || { cat "$LOGS/initdb.log" >&2; die "initdb failed"; }
  as_pg bash -c "echo \"include_if_exists = 'bench.conf'\" >>'$DATA/postgresql.conf'"
  as_pg bash -c "cat >'$DATA/pg_hba.conf'" <<'EOF'
# bench/backup.sh: trust on the Unix socket (in the bench's own directory), SCRAM over TCP
local   all             all                                     trust
local   replication     all                                     trust
host    all             all             127.0.0.1/32            scram-sha-256
host    replication     all             127.0.0.1/32            scram-sha-256
EOF
  start_server build
  local pw
  pw=$(head -c 18 /dev/urandom | base64 | tr '+/' 'xy')
  (umask 077; printf '%s' "$pw" >"$PWFILE")
  QDB=postgres q "create database bench" >/dev/null
  q "create role bench login replication password '$pw'" >/dev/null

  say "  pgbench -i -s $SCALE"
  "$PGBIN/pgbench" -i -s "$SCALE" -q -h "$SOCK" -p "$PORT" -U postgres bench >"$LOGS/pgbench-init.log" 2>&1 \
    || { cat "$LOGS/pgbench-init.log" >&2; die "pgbench -i failed"; }
  say "  customer_events: $ROWS rows from bench/realistic-rows.py"
  # Created and loaded in one transaction: COPY FREEZE writes the rows frozen (no later rewrite by
  # VACUUM), and with wal_level=minimal without WAL.
  {
    echo "begin;"
    echo "create table customer_events (id bigint not null, occurred_at timestamptz not null, customer_id integer not null,"
    echo "  session_id uuid not null, event_type text not null, email text not null, amount numeric(12,2) not null,"
    echo "  quantity integer not null, client_ip inet not null, title text not null, body text not null, attrs jsonb not null);"
    echo "copy customer_events from stdin with (freeze);"
    python3 bench/realistic-rows.py "$ROWS" 20261121
    echo '\.'
    echo "commit;"
  } | "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" -U postgres -d bench >"$LOGS/load.log" 2>&1 \
    || { tail -n 20 "$LOGS/load.log" >&2; die "loading customer_events failed"; }
  q "alter table customer_events add primary key (id)" >/dev/null
  q "create index customer_events_customer on customer_events (customer_id, occurred_at)" >/dev/null
  say "  vacuum (analyze), checkpoint"
  q "vacuum (analyze)" >/dev/null
  QDB=postgres q "vacuum (analyze)" >/dev/null
  q "checkpoint" >/dev/null

  say "  measuring sizes and compressibility (zstd -3)"
  local db_bytes pgbench_bytes events_heap events_total copy_raw copy_z heap heap_z acc acc_z all all_z
  db_bytes=$(q "select pg_database_size('bench')")
  pgbench_bytes=$(q "select sum(pg_total_relation_size(c.oid))::bigint from pg_class c where c.relname in ('pgbench_accounts','pgbench_branches','pgbench_tellers','pgbench_history')")
  events_heap=$(q "select pg_relation_size('customer_events')")
  events_total=$(q "select pg_total_relation_size('customer_events')")
  read -r copy_raw copy_z < <(q "copy customer_events to stdout" | zstd_sizes)
  mapfile -t files < <(relation_files customer_events)
  read -r heap heap_z < <(ratio_of_files "${files[@]}")
  mapfile -t files < <(relation_files pgbench_accounts)
  read -r acc acc_z < <(ratio_of_files "${files[@]}")
  mapfile -t files < <(find "$DATA/base" "$DATA/global" -type f | sort)
  read -r all all_z < <(ratio_of_files "${files[@]}")
  stop_server
  sync
  t1=$(now)
  {
    echo "recipe: $RECIPE"
    echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ) in $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.0f", b - a}') s on $(nproc) cores"
    awk -v d="$db_bytes" -v p="$pgbench_bytes" -v eh="$events_heap" -v et="$events_total" \
        -v cr="$copy_raw" -v cz="$copy_z" -v h="$heap" -v hz="$heap_z" -v a="$acc" -v az="$acc_z" -v al="$all" -v alz="$all_z" 'BEGIN {
      printf "database bench: %.2f GB (pgbench tables and indexes %.2f GB; customer_events %.2f GB, of which heap %.2f GB)\n", d/1e9, p/1e9, et/1e9, eh/1e9
      printf "zstd -3 ratios: customer_events COPY text %.2fx (%.0f MB), its heap files %.2fx; pgbench_accounts heap files %.2fx; all of base/ and global/ as one stream %.2fx (%.2f GB)\n", cr/cz, cr/1e6, h/hz, a/az, al/alz, al/1e9
    }'
  } >"$DATASET/info"
  echo "$RECIPE" >"$DATASET/recipe"
  touch "$DATASET/READY"
  say "dataset built in $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.0f", b - a}') s"
  sed 's/^/  /' "$DATASET/info" >&2
  [ "$pgbench_bytes" -ge 1500000000 ] || say "  note: the pgbench part is below 1.5 GB (BACKUP_BENCH_SCALE=$SCALE); the issue asks for at least 1.5 GB"
}

if [ "$REBUILD" = 1 ] || [ ! -f "$DATASET/READY" ]; then
  build_dataset
else
  [ "$(cat "$DATASET/recipe" 2>/dev/null)" = "$RECIPE" ] \
    || die "the cached dataset in $DATASET was built by another recipe ($(cat "$DATASET/recipe" 2>/dev/null || echo unknown)); run with --rebuild"
  [ "$(stat -c %u "$DATA")" = "$PG_UID" ] || die "$DATA belongs to uid $(stat -c %u "$DATA"), not the server user $PG_UID; run with --rebuild"
  say "reusing the dataset in $DATASET (--rebuild to build it again):"
  sed 's/^/  /' "$DATASET/info" >&2
fi
[ "$DATASET_ONLY" = 0 ] || exit 0

# ---- 3. Build Cellar's backup (only for the cellar variant) ------------------------------------
if has_variant cellar || has_variant cellar-daemon; then
  source scripts/find-jdk.sh
  say "building Cellar's bench module (mvn -pl bench -am install)"
  mvn -B -q -ntp -pl bench -am install -DskipTests
  mvn -B -q -ntp -pl bench dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=runtime
  CLASSPATH_BENCH="$REPO_ROOT/bench/target/classes:$(cat bench/target/bench.classpath)"
fi

# ---- 4. CPU accounting: a cgroup for the server when we may make one ---------------------------
if [ "$(id -u)" -eq 0 ] && [ "${BACKUP_BENCH_CPU:-cgroup}" != proc ]; then
  for root in /sys/fs/cgroup /sys/fs/cgroup/unified; do
    if [ "$(stat -fc %T "$root" 2>/dev/null)" = cgroup2fs ] && mkdir "$root/cellar-backup-bench.$$.server" 2>/dev/null; then
      CG_KIND=v2 CG_SERVER=$root/cellar-backup-bench.$$.server
      mkdir "$root/cellar-backup-bench.$$.receive-wal" && CG_RECEIVE=$root/cellar-backup-bench.$$.receive-wal
      break
    fi
  done
  if [ "$CG_KIND" = proc ] && [ -d /sys/fs/cgroup/cpuacct ] && mkdir /sys/fs/cgroup/cpuacct/cellar-backup-bench.$$.server 2>/dev/null; then
    CG_KIND=v1 CG_SERVER=/sys/fs/cgroup/cpuacct/cellar-backup-bench.$$.server
    mkdir /sys/fs/cgroup/cpuacct/cellar-backup-bench.$$.receive-wal && CG_RECEIVE=/sys/fs/cgroup/cpuacct/cellar-backup-bench.$$.receive-wal
  fi
fi
TICKS=$(getconf CLK_TCK)
# CPU time as "user system" in microseconds.
cg_cpu() { # cgroup -> everything that ever ran in it
  case "$CG_KIND" in
    v2) awk '$1 == "user_usec" {u = $2} $1 == "system_usec" {s = $2} END {printf "%.0f %.0f\n", u, s}' "$1/cpu.stat" ;;
    v1) awk -v hz="$TICKS" '$1 == "user" {u = $2} $1 == "system" {s = $2} END {printf "%.0f %.0f\n", u * 1e6 / hz, s * 1e6 / hz}' "$1/cpuacct.stat" ;;
  esac
}
# Without a cgroup: utime+cutime and stime+cstime of the postmaster and all its descendants (a
# process's exited and reaped children are in its cutime/cstime, so exited backends still count).
proc_tree_cpu() { # root pid
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v root="$1" -v hz="$TICKS" '{
      pid = $1; sub(/^.*\) /, "")   # drop "pid (comm) ": $1 = state, $2 = ppid, $12.. = utime stime cutime cstime
      parent[pid] = $2; u[pid] = $12 + $14; y[pid] = $13 + $15 }
    END {
      for (p in u) { q = p; while (q != "" && q != root && q > 1) q = parent[q]; if (q == root) { U += u[p]; Y += y[p] } }
      printf "%.0f %.0f\n", U * 1e6 / hz, Y * 1e6 / hz }'
}
postmaster_pid() { head -n 1 "$DATA/postmaster.pid"; }
server_cpu() { if [ -n "$CG_SERVER" ]; then cg_cpu "$CG_SERVER"; else proc_tree_cpu "$(postmaster_pid)"; fi; }
server_children() { { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v pm="$(postmaster_pid)" '{sub(/^.*\) /, ""); if ($2 == pm) n++} END {print n + 0}'; }

# ---- 5. Cache mode ------------------------------------------------------------------------------
CACHE=${BACKUP_BENCH_CACHE:-}
if [ -z "$CACHE" ]; then
  if [ "$(id -u)" -eq 0 ] && sync && (echo 3 >/proc/sys/vm/drop_caches) 2>/dev/null; then CACHE=cold; else CACHE=warm; fi
fi
case "$CACHE" in
  cold) (echo 3 >/proc/sys/vm/drop_caches) 2>/dev/null || die "BACKUP_BENCH_CACHE=cold needs root and a writable /proc/sys/vm/drop_caches" ;;
  warm) ;;
  *) die "BACKUP_BENCH_CACHE must be cold or warm" ;;
esac
settle_cache() {
  sync
  if [ "$CACHE" = cold ]; then
    echo 3 >/proc/sys/vm/drop_caches
  else
    find "$DATA" -type f -print0 | xargs -0 cat >/dev/null 2>&1 || true
  fi
}

# ---- 6. The server, pgBackRest (also the WAL archive) and Barman -------------------------------
# pgBackRest: its repository is $WORK/pgbackrest/repo, a symbolic link switched to a fresh, empty
# directory (with a new stanza) before every pgBackRest run. The server's archive_command pushes
# into whichever repository the link names; only the backup set is counted as stored.
PGBR=$WORK/pgbackrest
mkdir -p "$PGBR/log" "$PGBR/lock" "$PGBR/spool"
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

start_server measure
DB_BYTES=$(q "select sum(pg_database_size(datname))::bigint from pg_database")
say "server: PostgreSQL $(q 'show server_version') on 127.0.0.1:$PORT, data in $DATA (all databases $(awk -v b="$DB_BYTES" 'BEGIN {printf "%.2f GB", b/1e9}')); CPU accounting: $CG_KIND; page cache: $CACHE"
PGPASSFILE=$WORK/pgpass
(umask 077; printf '127.0.0.1:%s:*:bench:%s\n' "$PORT" "$(cat "$PWFILE")" >"$PGPASSFILE")
export PGPASSFILE
CONNINFO="host=127.0.0.1 port=$PORT user=bench sslmode=disable"

pgbr() { as_pg pgbackrest --config="$PGBR/pgbackrest.conf" --stanza="$STANZA" "$@"; }
archiver_idle() { # wait until no WAL segment awaits archiving
  local deadline=$(( $(date +%s) + 300 ))
  while compgen -G "$DATA/pg_wal/archive_status/*.ready" >/dev/null; do
    [ "$(date +%s)" -lt "$deadline" ] || die "WAL archiving is stuck (see $PGLOG and $PGBR/log)"
    sleep 0.2
  done
}
PGBR_REPO=""
new_pgbackrest_repo() { # label
  [ "$1" = initial ] || archiver_idle   # (at start, leftovers of an interrupted run wait for the stanza)
  local old=$PGBR_REPO
  PGBR_REPO=$PGBR/repo-$1
  as_pg mkdir "$PGBR_REPO"
  as_pg ln -sfn "$PGBR_REPO" "$PGBR/repo"
  [ -z "$old" ] || rm -rf "$old"
  pgbr stanza-create >"$LOGS/pgbackrest-stanza-$1.log" 2>&1 || { cat "$LOGS/pgbackrest-stanza-$1.log" >&2; die "pgbackrest stanza-create failed"; }
}
new_pgbackrest_repo initial
q "select pg_switch_wal()" >/dev/null     # whatever was waiting goes into the new archive now
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
description = bench/backup.sh
conninfo = host=$SOCK port=$PORT user=postgres dbname=postgres
streaming_conninfo = $CONNINFO
backup_method = postgres
streaming_archiver = on
slot_name = $BARMAN_SLOT
create_slot = auto
immediate_checkpoint = true
path_prefix = $PGBIN
EOF
  # A slot left by an interrupted run would hold WAL: drop it (Barman creates its own).
  q "select pg_drop_replication_slot('$BARMAN_SLOT') from pg_replication_slots where slot_name = '$BARMAN_SLOT'" >/dev/null
  # Barman's WAL streaming runs for the whole bench, as barman cron would keep it running.
  if [ -n "$CG_RECEIVE" ]; then
    setsid bash -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' _ "$CG_RECEIVE" \
      barman -c "$BARMAN_CONF" receive-wal "$BARMAN_SERVER" >"$LOGS/barman-receive-wal.log" 2>&1 &
  else
    setsid barman -c "$BARMAN_CONF" receive-wal "$BARMAN_SERVER" >"$LOGS/barman-receive-wal.log" 2>&1 &
  fi
  RECEIVE_WAL_PID=$!
  deadline=$(( $(date +%s) + 120 ))
  until [ "$(q "select active from pg_replication_slots where slot_name = '$BARMAN_SLOT'")" = t ]; do
    kill -0 "$RECEIVE_WAL_PID" 2>/dev/null || { cat "$LOGS/barman-receive-wal.log" >&2; die "barman receive-wal exited"; }
    [ "$(date +%s)" -lt "$deadline" ] || { cat "$LOGS/barman-receive-wal.log" >&2; die "barman receive-wal did not start streaming"; }
    sleep 0.2
  done
  # Barman refuses a first backup until one WAL file has arrived through its archiver.
  until barman_ switch-wal --force --archive --archive-timeout 30 "$BARMAN_SERVER" >"$LOGS/barman-switch-wal.log" 2>&1 \
        && barman_ check "$BARMAN_SERVER" >"$LOGS/barman-check.log" 2>&1; do
    kill -0 "$RECEIVE_WAL_PID" 2>/dev/null || { cat "$LOGS/barman-receive-wal.log" >&2; die "barman receive-wal exited"; }
    [ "$(date +%s)" -lt "$deadline" ] || { cat "$LOGS/barman-switch-wal.log" "$LOGS/barman-check.log" >&2; die "barman check did not pass"; }
    sleep 1
  done
  archiver_idle
fi
RECEIVE_CPU0=$( [ -n "$CG_RECEIVE" ] && [ -n "$RECEIVE_WAL_PID" ] && cg_cpu "$CG_RECEIVE" || echo "0 0")
BASELINE_CHILDREN=$(server_children)

# ---- 7. One run of one variant ------------------------------------------------------------------
server_quiet() { # wait until the server runs only its own processes (and Barman's walsender)
  local deadline=$(( $(date +%s) + 60 ))
  while [ "$(server_children)" -gt "$BASELINE_CHILDREN" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || die "$VARIANT: the server still has $(server_children) processes (baseline $BASELINE_CHILDREN)"
    sleep 0.05
  done
}

# Cellar as the daemon runs it: one JVM for all its runs, warmed up by one untimed backup first.
cellar_daemon_cmd() {
  # shellcheck disable=SC2206
  CELLAR_CMD=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED ${CELLAR_BENCH_JAVA_OPTS:-} -cp "$CLASSPATH_BENCH"
              dev.cellar.bench.BackupBench --host 127.0.0.1 --port "$PORT" --user bench --password-file "$PWFILE"
              --repository "$TARGETS" --compression zstd:3 ${CELLAR_BENCH_ARGS:-})
}
start_cellar_daemon() {
  [ -z "$CELLAR_DAEMON_PID" ] || return 0
  cellar_daemon_cmd
  coproc CELLAR_DAEMON { exec "${CELLAR_CMD[@]}" --serve stdin 2>>"$LOGS/cellar-daemon.err"; }
  say "  cellar-daemon: started (pid $CELLAR_DAEMON_PID), warming up with one untimed backup"
  archiver_idle
  q "checkpoint" >/dev/null
  local line=""
  echo "$TARGETS/cellar-daemon-warmup" >&"${CELLAR_DAEMON[1]}"
  read -r line <&"${CELLAR_DAEMON[0]}" || die "cellar-daemon: no answer to the warm-up (see $LOGS/cellar-daemon.err)"
  case "$line" in done*) ;; *) die "cellar-daemon: warm-up said '$line'";; esac
  rm -rf "$TARGETS/cellar-daemon-warmup"
}
proc_cpu_ticks() { # pid -> "utime stime" in clock ticks (fields 14 and 15 of /proc/PID/stat)
  sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12, $13}'
}

run_variant() { # variant label
  VARIANT=$1
  local label=$2 target=$TARGETS/$1-$2 cmd=() stored_dir="" extra=""
  OUT=$LOGS/$VARIANT-$label.out ERR=$LOGS/$VARIANT-$label.err
  local timef=$LOGS/$VARIANT-$label.time
  # Untimed preparation: nothing left to archive or to write at the backup's checkpoint.
  archiver_idle
  q "checkpoint" >/dev/null
  case "$VARIANT" in
    pg_basebackup|pg_basebackup-client-zstd|pg_basebackup-server-zstd)
      mkdir "$target"
      cmd=("$PGBIN/pg_basebackup" -d "$CONNINFO application_name=bench_$label" -D "$target" -Ft -X none
           --checkpoint=fast --no-password)
      case "$VARIANT" in
        pg_basebackup-client-zstd) cmd+=(--compress=client-zstd:level=3) ;;
        pg_basebackup-server-zstd) cmd+=(--compress=server-zstd:level=3,workers=2) ;;
      esac
      stored_dir=$target ;;
    pgbackrest)
      new_pgbackrest_repo "$label"
      cmd=(${AS_PG[@]+"${AS_PG[@]}"} pgbackrest --config="$PGBR/pgbackrest.conf" --stanza="$STANZA" backup --type=full) ;;
    barman)
      # WAL that receive-wal streamed during the other variants' runs goes into Barman's archive now,
      # as barman cron would have done, so the backup's --wait handles only its own WAL.
      barman_ archive-wal "$BARMAN_SERVER" >>"$LOGS/barman-archive-wal.log" 2>&1 || die "barman archive-wal failed"
      cmd=(barman -c "$BARMAN_CONF" backup --wait --wait-timeout 300 "$BARMAN_SERVER") ;;
    cellar-daemon)
      start_cellar_daemon
      stored_dir=$target ;;
    cellar)
      mkdir "$target"
      # shellcheck disable=SC2206
      cmd=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED ${CELLAR_BENCH_JAVA_OPTS:-} -cp "$CLASSPATH_BENCH"
           dev.cellar.bench.BackupBench --host 127.0.0.1 --port "$PORT" --user bench --password-file "$PWFILE"
           --repository "$target" --compression zstd:3 ${CELLAR_BENCH_ARGS:-})
      stored_dir=$target ;;
  esac
  archiver_idle
  settle_cache
  server_quiet
  local s0 s1 t0 t1 rc=0
  s0=$(server_cpu)
  t0=$(now)
  # The tool, then sync -f of the filesystem its output is on, as one measured command: whatever a
  # tool left unflushed is flushed (and its kernel CPU counted) before the clock stops.
  if [ "$VARIANT" = cellar-daemon ]; then
    # The request, the backup in the warm JVM, then sync -f as for the others; CPU from /proc.
    local c0 c1 answer=""
    c0=$(proc_cpu_ticks "$CELLAR_DAEMON_PID")
    echo "$target" >&"${CELLAR_DAEMON[1]}"
    read -r answer <&"${CELLAR_DAEMON[0]}" || rc=1
    sync -f "$TARGETS" || rc=1
    t1=$(now)
    c1=$(proc_cpu_ticks "$CELLAR_DAEMON_PID")
    echo "$answer" >"$OUT"
    case "$answer" in done*) ;; *) rc=1; cp "$LOGS/cellar-daemon.err" "$ERR";; esac
    echo "$c0 $c1" | awk -v hz="$(getconf CLK_TCK)" '{printf "cpu %.2f %.2f\n", ($3 - $1) / hz, ($4 - $2) / hz}' >"$timef"
  else
    /usr/bin/time -f 'cpu %U %S' -o "$timef" sh -c '"$@" && exec sync -f "$0"' "$TARGETS" "${cmd[@]}" >"$OUT" 2>"$ERR" || rc=$?
    t1=$(now)
  fi
  [ "$rc" = 0 ] || die "$VARIANT run $label failed (exit $rc; see $ERR)"
  server_quiet
  s1=$(server_cpu)

  case "$VARIANT" in
    pgbackrest)
      stored_dir=$(find "$PGBR_REPO/backup/$STANZA" -mindepth 1 -maxdepth 1 -type d -name '*F')
      [ -n "$stored_dir" ] && [ -f "$stored_dir/backup.manifest" ] || die "pgbackrest: no complete backup set in $PGBR_REPO"
      extra="set $(basename "$stored_dir")" ;;
    barman)
      local id status
      id=$(barman_ list-backup --minimal "$BARMAN_SERVER" | head -n 1)
      status=$(barman_ show-backup "$BARMAN_SERVER" "$id" | awk -F': *' '/^ *Status/ {print $2; exit}')
      [ "$status" = DONE ] || die "barman: backup $id has status '$status', not DONE"
      stored_dir=$WORK/barman/home/$BARMAN_SERVER/base/$id
      extra="backup $id $status" ;;
    cellar|cellar-daemon)
      extra="BackupBench says $(grep -o 'stored_bytes=[0-9]*' "$OUT" || echo 'no stored_bytes line')" ;;
    *)
      [ -f "$target/backup_manifest" ] || die "$VARIANT: no backup_manifest in $target"
      extra=$(cd "$target" && ls | tr '\n' ' ') ;;
  esac
  local stored
  stored=$(du -sb "$stored_dir" | cut -f1)
  # variant label wallSeconds clientUser clientSys serverUser serverSys storedBytes (seconds, bytes)
  echo "$s0 $s1 $(awk '$1 == "cpu" {print $2, $3}' "$timef")" \
    | awk -v v="$VARIANT" -v l="$label" -v t0="$t0" -v t1="$t1" -v st="$stored" \
      '{printf "%s\t%s\t%.3f\t%.2f\t%.2f\t%.3f\t%.3f\t%.0f\n", v, l, t1 - t0, $5, $6, ($3 - $1) / 1e6, ($4 - $2) / 1e6, st}' \
    | tee -a "$RESULTS" \
    | awk -F'\t' -v db="$DB_BYTES" -v x="$extra" '{
        printf "  %-26s run %-3s %7.2f s wall  client %6.2f CPU-s (user %.2f)  server %6.2f CPU-s (user %.2f)  %8.1f MB stored (%.2fx)  [%s]\n", \
          $1, $2, $3, $4 + $5, $4, $6 + $7, $6, $8 / 1e6, db / $8, x }' >&2

  # Free the space again (untimed). pgBackRest's repository stays until its next run: it is the
  # server's WAL archive meanwhile.
  case "$VARIANT" in
    barman) barman_ delete "$BARMAN_SERVER" "$id" >"$LOGS/barman-delete-$label.log" 2>&1 || die "barman delete failed" ;;
    pgbackrest) ;;
    *) rm -rf "$target" ;;
  esac
}

# ---- 8. Rounds ----------------------------------------------------------------------------------
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
RECEIVE_CPU=""
if [ -n "$CG_RECEIVE" ] && [ -n "$RECEIVE_WAL_PID" ]; then
  RECEIVE_CPU=$(echo "$RECEIVE_CPU0 $(cg_cpu "$CG_RECEIVE")" | awk '{printf "%.2f", ($3 + $4 - $1 - $2) / 1e6}')
fi

# ---- 9. Medians and ratios ----------------------------------------------------------------------
ELAPSED=$(elapsed_since "$BENCH_START")
{
  echo
  echo "Full backup of PostgreSQL $(q 'show server_version'), $(awk -v b="$DB_BYTES" 'BEGIN {printf "%.2f GB", b/1e9}') in all databases. Dataset:"
  sed -n 's/^\(database\|zstd\)/  \1/p' "$DATASET/info"
  echo "$RUNS interleaved runs per variant, medians; page cache $CACHE before every run; CPU accounting $CG_KIND; $(nproc) cores;"
  echo "load average before $LOAD_BEFORE, after $LOAD_AFTER; rounds took ${ROUND_SECONDS[*]} s; whole bench ${ELAPSED} s."
  echo "Wall = tool start until it exits and its output is synced (sync -f). Client CPU = user+sys of the tool, its"
  echo "children and the final sync (getrusage via /usr/bin/time). Server CPU = user+sys of every PostgreSQL process"
  echo "during the run (checkpoint, walsenders, server-side compression, archive_command). Medians of each column"
  echo "separately (total CPU is the median of the per-run sums). System time includes the kernel's writeback done"
  echo "in a process's fsync, which on a VM can dominate. Stored = du -sb of the backup itself, no WAL archive."
  echo "Ratio = size of all databases / stored. MB = 10^6 bytes."
  [ -z "$RECEIVE_CPU" ] || echo "Barman's receive-wal (running throughout, not counted above) used $RECEIVE_CPU CPU-s over the whole bench."
  echo
}
awk -F'\t' -v order="$VARIANTS" -v db="$DB_BYTES" '
  function median(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  { v = $1; w[v] = w[v] " " $3; c[v] = c[v] " " ($4 + $5); cu[v] = cu[v] " " $4; s[v] = s[v] " " ($6 + $7); su[v] = su[v] " " $6
    t[v] = t[v] " " ($4 + $5 + $6 + $7); b[v] = b[v] " " $8 }
  END {
    describe["cellar"] = "Cellar, zstd:3"
    describe["cellar-daemon"] = "Cellar daemon (warm JVM), zstd:3"
    describe["pg_basebackup"] = "pg_basebackup -Ft -X none"
    describe["pg_basebackup-client-zstd"] = "pg_basebackup -Ft -X none, client-zstd:3"
    describe["pg_basebackup-server-zstd"] = "pg_basebackup -Ft -X none, server-zstd:3, 2 workers"
    describe["pgbackrest"] = "pgBackRest, zst:3, process-max 2"
    describe["barman"] = "Barman, backup_method=postgres"
    n = split(order, names, " ")
    print "| variant | wall s | client CPU s (user) | server CPU s (user) | total CPU s | stored MB | ratio |"
    print "|---|---|---|---|---|---|---|"
    for (i = 1; i <= n; i++) {
      v = names[i]
      W[v] = median(w[v]); C[v] = median(c[v]); S[v] = median(s[v]); T[v] = median(t[v]); B[v] = median(b[v])
      printf "| %s | %.2f | %.2f (%.2f) | %.2f (%.2f) | %.2f | %.0f | %.2f |\n", describe[v], W[v], C[v], median(cu[v]), \
        S[v], median(su[v]), T[v], B[v] / 1e6, db / B[v]
    }
    print ""
    if (!("cellar" in W) && !("cellar-daemon" in W)) { print "(no Cellar runs: no Cellar/peer ratios)"; exit }
    print "| ratio Cellar / peer | wall | client CPU | server CPU | total CPU | stored |"
    print "|---|---|---|---|---|---|"
    split("cellar cellar-daemon", ours, " ")
    for (k = 1; k <= 2; k++) {
      o = ours[k]
      if (!(o in W)) continue
      for (i = 1; i <= n; i++) {
        v = names[i]
        if (v == "cellar" || v == "cellar-daemon") continue
        printf "| %s / %s | %.2f | %s | %s | %.2f | %.2f |\n", o, v, W[o] / W[v], \
          (C[v] > 0 ? sprintf("%.2f", C[o] / C[v]) : "–"), (S[v] > 0 ? sprintf("%.2f", S[o] / S[v]) : "–"), \
          T[o] / T[v], B[o] / B[v]
      }
    }
  }' "$RESULTS"
say "bench took ${ELAPSED} s; per-run numbers above (stderr)"
