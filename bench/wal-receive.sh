#!/usr/bin/env bash
# Cellar's WAL receiver against PostgreSQL 15's pg_receivewal: one throwaway PostgreSQL 15 server,
# the same pgbench load for every tool, runs interleaved, medians printed as a table.
#   bench/wal-receive.sh [seconds=60] [runs=3]
# Environment:
#   WAL_BENCH_VARIANTS  which variants, in the order they are interleaved within a round (default:
#                       "cellar-zstd1 pg_receivewal cellar-none no-receiver pg_receivewal-sync cellar-sync")
#   WAL_BENCH_DIR       where the server and the receivers' directories go (default /tmp; never /root)
#   WAL_BENCH_JAVA_OPTS extra JVM options for Cellar's receiver (e.g. to profile it)
#   WAL_BENCH_KEEP=1    keep the work directory (server log, receiver logs) after the run
# Installs postgresql-15 and postgresql-client-15 from Debian if missing (needs root). Never starts
# Debian's own cluster; if installing it started one, it is stopped again (pg_ctlcluster 15 main stop).
set -euo pipefail
shopt -s extglob

LOAD_SECONDS=${1:-60}
RUNS=${2:-3}
VARIANTS=${WAL_BENCH_VARIANTS:-"cellar-zstd1 pg_receivewal cellar-none no-receiver pg_receivewal-sync cellar-sync"}
PARENT=${WAL_BENCH_DIR:-/tmp}
PGBIN=/usr/lib/postgresql/15/bin
[[ "$LOAD_SECONDS" =~ ^[1-9][0-9]*$ && "$RUNS" =~ ^[1-9][0-9]*$ ]] \
  || { echo "usage: bench/wal-receive.sh [seconds=60] [runs=3]" >&2; exit 2; }

say() { printf '%s\n' "$*" >&2; }
die() { say "wal-receive.sh: $*"; exit 1; }

cd "$(dirname "$0")/.."
BENCH_START=$(date +%s)

# ---- 1. PostgreSQL 15 from Debian, when missing ----------------------------------------------
missing=()
for b in initdb pg_ctl postgres pg_receivewal pgbench psql; do
  [ -x "$PGBIN/$b" ] || missing+=("$b")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || die "missing ${missing[*]} in $PGBIN; run as root to install postgresql-15 and postgresql-client-15, or install them yourself"
  command -v apt-get >/dev/null || die "missing ${missing[*]} in $PGBIN and no apt-get to install them with"
  say "installing postgresql-15 postgresql-client-15 (missing: ${missing[*]})"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 postgresql-client-15 >/dev/null
  # Debian's packaging creates and may start a "main" cluster: stop it, to keep load off the machine.
  if command -v pg_lsclusters >/dev/null && pg_lsclusters -h 2>/dev/null | awk '$1==15 && $2=="main" && $4=="online"' | grep -q .; then
    say "stopping the Debian cluster 15/main that installing started (pg_ctlcluster 15 main stop)"
    pg_ctlcluster 15 main stop
  fi
fi

# ---- Build Cellar's receiver ----------------------------------------------------------------
source scripts/find-jdk.sh
mvn -B -q -ntp -pl bench -am install -DskipTests
mvn -B -q -ntp -pl bench dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=runtime
CLASSPATH_BENCH="bench/target/classes:$(cat bench/target/bench.classpath)"

# ---- 2. A throwaway server, as an unprivileged user -----------------------------------------
AS_PG=()
if [ "$(id -u)" -eq 0 ]; then
  id nobody >/dev/null 2>&1 || die "running as root needs the user 'nobody' to run PostgreSQL as"
  AS_PG=(setpriv --reuid=nobody --regid=65534 --clear-groups)
fi
as_pg() { ${AS_PG[@]+"${AS_PG[@]}"} "$@"; }

case "$(readlink -f "$PARENT")/" in /root/*) die "WAL_BENCH_DIR must not be under /root (the server user cannot reach it)";; esac
WORK=$(mktemp -d "$PARENT/cellar-wal-bench.XXXXXX")
chmod 755 "$WORK"
BASE=$WORK/pg
RECV=$WORK/recv
LOGS=$WORK/logs
RESULTS=$WORK/results.tsv
mkdir -p "$BASE" "$RECV" "$LOGS"
[ ${#AS_PG[@]} -eq 0 ] || chown nobody:65534 "$BASE"
SERVER_STARTED=0
RPID=""

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$RPID" ] && kill -0 "$RPID" 2>/dev/null; then
    kill -TERM "$RPID" 2>/dev/null || true
    wait "$RPID" 2>/dev/null || true
  fi
  if [ "$SERVER_STARTED" = 1 ]; then
    as_pg "$PGBIN/pg_ctl" -D "$BASE/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  if [ $rc -ne 0 ]; then
    say "wal-receive.sh failed (exit $rc). Last lines of the logs:"
    for f in "$BASE/postgres.log" "${OUT:-}" "${ERR:-}"; do
      [ -f "$f" ] && { say "--- $f"; tail -n 15 "$f" >&2; }
    done
  fi
  if [ "${WAL_BENCH_KEEP:-0}" = 1 ] || [ $rc -ne 0 ]; then
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

as_pg "$PGBIN/initdb" -D "$BASE/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$WORK/initdb.log" 2>&1 \
  || { cat "$WORK/initdb.log" >&2; die "initdb failed"; }
cat >>"$BASE/data/postgresql.conf" <<EOF
# wal-receive.sh
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$BASE'
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
shared_buffers = 128MB
EOF
as_pg "$PGBIN/pg_ctl" -D "$BASE/data" -w -t 60 -l "$BASE/postgres.log" start >/dev/null
SERVER_STARTED=1

q() { "$PGBIN/psql" -X -A -t -q -v ON_ERROR_STOP=1 -h "$BASE" -p "$PORT" -U postgres -d postgres -c "$1"; }
lsn_num() { q "select pg_wal_lsn_diff('$1', '0/0')::bigint"; }

q "create role bench login replication" >/dev/null
say "server: PostgreSQL $(q 'show server_version') on port $PORT, data in $BASE/data; pgbench -i -s 10"
"$PGBIN/pgbench" -i -s 10 -q -h "$BASE" -p "$PORT" -U postgres postgres >"$WORK/pgbench-init.log" 2>&1 \
  || { cat "$WORK/pgbench-init.log" >&2; die "pgbench -i failed"; }
SEGMENT_BYTES=$(q "select pg_size_bytes(current_setting('wal_segment_size'))")
TICKS=$(getconf CLK_TCK)

# ---- 3. One run of one variant ---------------------------------------------------------------
# Receiver CPU in clock ticks (utime + stime of all its threads), from /proc/<pid>/stat.
cpu_ticks() {
  local stat rest
  read -r stat <"/proc/$1/stat"
  rest=${stat##*\) }
  # shellcheck disable=SC2086
  set -- $rest
  echo $(( ${12} + ${13} ))
}

# CPU ticks per thread of a process: "tid ticks systemTicks name" lines (trailing digits dropped
# from names, so that a pool's threads add up), for the per-thread breakdown of Cellar's JVM.
thread_ticks() {
  local task stat name rest
  for task in /proc/"$1"/task/*; do
    read -r stat <"$task/stat" 2>/dev/null || continue
    name=${stat#*\(}; name=${name%\)*}; rest=${stat##*\) }
    # shellcheck disable=SC2086
    set -- $rest
    printf '%s\t%d\t%d\t%s\n' "${task##*/}" $(( ${12} + ${13} )) "${13}" "${name%%+([0-9])}"
  done
}

# Where the receiver's CPU went between two snapshots, top threads first.
thread_breakdown() { # before-file after-file
  awk -F'\t' -v hz="$TICKS" 'NR == FNR {before[$1] = $2; beforeSys[$1] = $3; next}
    {by[$4] += $2 - before[$1]; sys[$4] += $3 - beforeSys[$1]}
    END {for (n in by) if (by[n] > 0) printf "%.2f\t%.2f\t%s\n", by[n] / hz, sys[n] / hz, n}' "$1" "$2" \
    | sort -rn | head -n 6 \
    | awk -F'\t' '{printf "%s%s %s (sys %s)", (NR > 1 ? ", " : ""), $3, $1, $2} END {print ""}'
}

now() { date +%s.%N; }

# Where the running receiver is, as a decimal LSN; "" while it is not connected.
receiver_lsn() {
  case "$KIND" in
    cellar)
      # "status STREAMING received X/Y n flushed X/Y n": the flushed (fsynced) position.
      { grep '^status ' "$OUT" || true; } | tail -n 1 | awk '$2=="STREAMING" {print $8}'
      ;;
    pg_receivewal)
      # Asynchronous pg_receivewal fsyncs (and reports flush_lsn) only at segment ends: follow what
      # it has written (write_lsn). With --synchronous it fsyncs every message: follow flush_lsn.
      q "select pg_wal_lsn_diff($([ "$SYNC" = true ] && echo flush_lsn || echo write_lsn), '0/0')::bigint
         from pg_stat_replication where application_name = '$APP'"
      ;;
  esac
}

wait_caught_up() { # target (decimal LSN), timeout seconds
  local target=$1 deadline=$(( $(date +%s) + $2 )) at
  while :; do
    kill -0 "$RPID" 2>/dev/null || die "$VARIANT: the receiver exited (see $ERR)"
    at=$(receiver_lsn)
    if [ -n "$at" ] && [ "$at" -ge "$target" ]; then return 0; fi
    [ "$(date +%s)" -lt "$deadline" ] || die "$VARIANT: receiver at ${at:-nothing} did not reach $target within $2 s"
    sleep 0.05
  done
}

prepare_server() {
  # Same starting point for every run: no old history rows, vacuumed tables, a fresh checkpoint
  # (full-page writes start over), data synced, no leftover receiver files.
  q "truncate pgbench_history" >/dev/null
  q "vacuum pgbench_accounts, pgbench_branches, pgbench_tellers" >/dev/null
  q "checkpoint" >/dev/null
  rm -rf "${RECV:?}"/*
  sync
}

run_variant() { # variant, run label, load seconds
  VARIANT=$1
  local label=$2 seconds=$3 codec="" cmd=()
  case "$VARIANT" in
    cellar-zstd1)       KIND=cellar SYNC=false codec=zstd:1 ;;
    cellar-none)        KIND=cellar SYNC=false codec=none ;;
    cellar-sync)        KIND=cellar SYNC=true codec=zstd:1 ;;
    pg_receivewal)      KIND=pg_receivewal SYNC=false ;;
    pg_receivewal-sync) KIND=pg_receivewal SYNC=true ;;
    no-receiver)        KIND=none SYNC=false ;;
    *) die "unknown variant $VARIANT (known: cellar-zstd1 cellar-none cellar-sync pg_receivewal pg_receivewal-sync no-receiver)" ;;
  esac
  local slot="bench_${VARIANT//-/_}_$label"
  APP=$slot
  local dir=$RECV/$VARIANT
  OUT=$LOGS/$VARIANT-$label.out ERR=$LOGS/$VARIANT-$label.err
  prepare_server
  mkdir -p "$dir"
  RPID=""
  if [ "$KIND" != none ]; then
    q "select pg_create_physical_replication_slot('$slot', true)" >/dev/null
    if [ "$KIND" = cellar ]; then
      # shellcheck disable=SC2086
      "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED ${WAL_BENCH_JAVA_OPTS:-} -cp "$CLASSPATH_BENCH" \
        dev.cellar.bench.WalReceiveBench 127.0.0.1 "$PORT" bench "$slot" "$APP" "$dir/repository" "$dir/spool" \
        "$codec" "$SYNC" >"$OUT" 2>"$ERR" &
    else
      cmd=("$PGBIN/pg_receivewal" -D "$dir" --slot="$slot" --compress=none --no-loop --status-interval=1
           -d "host=127.0.0.1 port=$PORT user=bench application_name=$APP sslmode=disable")
      [ "$SYNC" = true ] && cmd+=(--synchronous)
      "${cmd[@]}" >"$OUT" 2>"$ERR" &
    fi
    RPID=$!
    # Connected and holding everything up to now, before the load starts.
    wait_caught_up "$(lsn_num "$(q 'select pg_current_wal_lsn()')")" 60
  fi

  local start_lsn end_lsn cpu0=0 cpu1=0 t0 t_load t1 tps
  start_lsn=$(lsn_num "$(q 'select pg_current_wal_lsn()')")
  if [ -n "$RPID" ]; then cpu0=$(cpu_ticks "$RPID"); thread_ticks "$RPID" >"$LOGS/threads0"; fi
  t0=$(now)
  "$PGBIN/pgbench" -n -N -c 4 -j 2 -T "$seconds" -h "$BASE" -p "$PORT" -U postgres postgres >"$LOGS/pgbench-$VARIANT-$label.out" 2>&1 \
    || { cat "$LOGS/pgbench-$VARIANT-$label.out" >&2; die "$VARIANT: pgbench failed"; }
  t_load=$(now)
  end_lsn=$(lsn_num "$(q 'select pg_current_wal_lsn()')")
  tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$LOGS/pgbench-$VARIANT-$label.out" | head -n 1)
  [ -n "$tps" ] || { cat "$LOGS/pgbench-$VARIANT-$label.out" >&2; die "$VARIANT: no tps in pgbench's output"; }

  local stored=0 segments=0
  if [ -n "$RPID" ]; then
    wait_caught_up "$end_lsn" 300
    t1=$(now)
    cpu1=$(cpu_ticks "$RPID")
    thread_ticks "$RPID" >"$LOGS/threads1"
    if [ "$KIND" = cellar ]; then kill -TERM "$RPID"; else kill -INT "$RPID"; fi
    wait "$RPID" || true
    RPID=""
    # Complete segments only (the one being received at the stop is left out on both sides).
    if [ "$KIND" = cellar ]; then
      read -r segments stored < <(find "$dir/repository" -type f -regextype posix-extended \
        -regex '.*/[0-9A-F]{24}-[0-9a-f]{64}(\.zst)?' -printf '%s\n' | awk '{n++; s+=$1} END {print n+0, s+0}')
    else
      read -r segments stored < <(find "$dir" -maxdepth 1 -type f -regextype posix-extended \
        -regex '.*/[0-9A-F]{24}' -printf '%s\n' | awk '{n++; s+=$1} END {print n+0, s+0}')
    fi
    local dropped=0
    for _ in $(seq 1 100); do # the walsender may take a moment to go
      if q "select pg_drop_replication_slot('$slot')" >/dev/null 2>&1; then dropped=1; break; fi
      sleep 0.1
    done
    [ "$dropped" = 1 ] || die "$VARIANT: could not drop replication slot $slot (it would keep WAL on disk)"
  else
    t1=$t_load
  fi
  # variant label walBytes secondsToCaughtUp loadSeconds cpuSeconds startupCpuSeconds tps segments storedBytes
  awk -v v="$VARIANT" -v l="$label" -v w=$((end_lsn - start_lsn)) -v t0="$t0" -v tl="$t_load" -v t1="$t1" \
      -v c0="$cpu0" -v c1="$cpu1" -v hz="$TICKS" -v tps="$tps" -v n="$segments" -v s="$stored" \
      'BEGIN {printf "%s\t%s\t%d\t%.3f\t%.3f\t%.2f\t%.2f\t%s\t%d\t%d\n", v, l, w, t1-t0, tl-t0, (c1-c0)/hz, c0/hz, tps, n, s}' \
    | tee -a "$RESULTS" \
    | awk -F'\t' -v seg="$SEGMENT_BYTES" '{
        printf "  %-19s run %-6s %7.1f MB WAL  %6.2f s to catch up (load %.2f s)  %5.2f CPU-s (+%.2f s before the load)  %7.1f tps", \
          $1, $2, $3/1e6, $4, $5, $6, $7, $8
        if ($9 > 0) printf "  %d segments stored in %.1f MB", $9, $10/1e6
        printf "\n" }' >&2
  if [ "$KIND" = cellar ]; then
    say "      CPU-s by thread during the load: $(thread_breakdown "$LOGS/threads0" "$LOGS/threads1")"
  fi
}

# ---- Runs ------------------------------------------------------------------------------------
say "load average before: $(cut -d' ' -f1-3 /proc/loadavg)   ($(nproc) cores, CLK_TCK=$TICKS)"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
read -r -a VARIANT_LIST <<<"$VARIANTS"
WARMUP=$(( LOAD_SECONDS < 10 ? LOAD_SECONDS : 10 ))
say "warm-up (not counted): ${WARMUP} s of load with each of ${VARIANT_LIST[*]:0:2}"
for v in "${VARIANT_LIST[@]:0:2}"; do run_variant "$v" warmup "$WARMUP"; done
: >"$RESULTS"
for r in $(seq 1 "$RUNS"); do
  say "round $r of $RUNS: pgbench -N -c 4 -j 2 -T $LOAD_SECONDS under each of ${VARIANT_LIST[*]}"
  for v in "${VARIANT_LIST[@]}"; do run_variant "$v" "$r" "$LOAD_SECONDS"; done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- 4. Medians and ratios -------------------------------------------------------------------
ELAPSED=$(( $(date +%s) - BENCH_START ))
{
  echo
  echo "WAL receive: pgbench -N -c 4 -j 2 -T $LOAD_SECONDS on PostgreSQL $(q 'show server_version'), $RUNS interleaved runs per" \
       "variant, medians; $(nproc) cores; load average before $LOAD_BEFORE, after $LOAD_AFTER; whole bench ${ELAPSED} s."
  echo "MB = 10^6 bytes, GB = 10^9 bytes. MB/s = WAL bytes / (load start -> receiver caught up with the WAL end at the"
  echo "load's end). CPU = utime+stime of the receiver process during that window. Stored = bytes of the complete"
  echo "segments kept, per GB of WAL in them. Cellar compresses (zstd:1 unless noted), validates every segment (page"
  echo "headers, record chain) and hashes it (SHA-256) before storing it durably; pg_receivewal does neither."
  echo
} 
awk -F'\t' -v order="$VARIANTS" -v seg="$SEGMENT_BYTES" '
  function median(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  {
    v = $1
    mbs[v] = mbs[v] " " ($3 / 1e6) / $4
    if ($3 > 0) cpu[v] = cpu[v] " " $6 / ($3 / 1e9)
    tps[v] = tps[v] " " $8
    if ($9 > 0) stored[v] = stored[v] " " ($10 / 1e6) / ($9 * seg / 1e9)
  }
  END {
    n = split(order, names, " ")
    for (i = 1; i <= n; i++) {
      v = names[i]
      M[v] = median(mbs[v]); T[v] = median(tps[v])
      C[v] = v == "no-receiver" ? "" : median(cpu[v]); S[v] = v == "no-receiver" ? "" : median(stored[v])
    }
    describe["cellar-zstd1"] = "Cellar, async (fsync 1 s / 16 MiB), zstd:1"
    describe["cellar-none"] = "Cellar, async (fsync 1 s / 16 MiB), codec none"
    describe["cellar-sync"] = "Cellar, synchronous=true, zstd:1"
    describe["pg_receivewal"] = "pg_receivewal (fsync at segment end)"
    describe["pg_receivewal-sync"] = "pg_receivewal --synchronous"
    describe["no-receiver"] = "no receiver (pgbench alone)"
    print "| receiver | MB/s of WAL | CPU-s per GB of WAL | pgbench TPS | stored MB per GB of WAL |"
    print "|---|---|---|---|---|"
    for (i = 1; i <= n; i++) {
      v = names[i]
      printf "| %s | %.1f | %s | %.0f | %s |\n", describe[v], M[v], \
        C[v] == "" ? "–" : sprintf("%.2f", C[v]), T[v], S[v] == "" ? "–" : sprintf("%.0f", S[v])
    }
    pairs = "cellar-zstd1:pg_receivewal cellar-none:pg_receivewal cellar-sync:pg_receivewal-sync"
    m = split(pairs, p, " ")
    header = 0
    for (i = 1; i <= m; i++) {
      split(p[i], ab, ":"); a = ab[1]; b = ab[2]
      if (!(a in M) || !(b in M)) continue
      if (!header) {
        print ""
        print "| ratio Cellar / pg_receivewal | MB/s | CPU-s per GB | TPS | stored per GB |"
        print "|---|---|---|---|---|"
        header = 1
      }
      printf "| %s / %s | %.2f | %.2f | %.3f | %.2f |\n", a, b, M[a] / M[b], C[a] / C[b], T[a] / T[b], S[a] / S[b]
    }
    if ("no-receiver" in T) {
      print ""
      printf "TPS lost to the receiver (against no receiver, %.0f tps):", T["no-receiver"]
      for (i = 1; i <= n; i++) if (names[i] != "no-receiver") printf " %s %+.1f %%;", names[i], 100 * (T[names[i]] / T["no-receiver"] - 1)
      print ""
    }
  }' "$RESULTS"
say "bench took ${ELAPSED} s; per-run numbers: above (stderr)"
