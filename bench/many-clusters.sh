#!/usr/bin/env bash
# What the server (backupctl serve) costs while it streams WAL from many clusters: N real
# PostgreSQL servers from the test kit (majors 15-18 in turn), one configuration naming all of them
# (every schedule off), the server as a child JVM with a fixed -Xmx, a light write load on every
# cluster for M minutes, then one full backup of every cluster through the API; heap, threads, RSS,
# CPU and per-cluster WAL lag sampled from /metrics and /proc; no WAL gap and every cluster's WAL
# archived through its last switch checked at the end.
#   bench/many-clusters.sh [clusters=20] [minutes=5]
# Environment:
#   MANY_CLUSTERS_DIR        where the work directory goes (default /tmp; never under /root). The
#                            PostgreSQL servers live under the test kit's root, $TMPDIR/cellar-it-<uid>.
#   MANY_CLUSTERS_XMX        the daemon's -Xmx (default 512m)
#   MANY_CLUSTERS_BACKUPS=0  no backup phase
#   MANY_CLUSTERS_NMT=0      no -XX:NativeMemoryTracking=summary on the daemon
#   MANY_CLUSTERS_MAJORS     PostgreSQL majors to spread the clusters over (default 15,16,17,18)
#   MANY_CLUSTERS_JAVA_OPTS  extra JVM options for the daemon (e.g. "-XX:+UseSerialGC")
#   MANY_CLUSTERS_ARGS       extra ManyClustersBench options (e.g. "--insert-ms 100 --sample-seconds 5")
#   MANY_CLUSTERS_KEEP=1     keep the work directory (configuration, daemon log, repository)
# Needs a JDK 21+ and Maven; the PostgreSQL binaries are the Maven-shipped ones the tests use. As
# root, the servers run as 'nobody' (the test kit does it). See bench/README.md ("Many clusters").
set -euo pipefail

CLUSTERS=${1:-20}
MINUTES=${2:-5}
[[ "$CLUSTERS" =~ ^[1-9][0-9]*$ && "$MINUTES" =~ ^[1-9][0-9]*$ && $# -le 2 ]] \
  || { echo "usage: bench/many-clusters.sh [clusters=20] [minutes=5]" >&2; exit 2; }
PARENT=${MANY_CLUSTERS_DIR:-/tmp}

say() { printf '%s\n' "$*" >&2; }
die() { say "many-clusters.sh: $*"; exit 1; }

cd "$(dirname "$0")/.."
REPO_ROOT=$PWD
source bench/common.sh
BENCH_START=$(date +%s)

case "$(readlink -f "$PARENT")/" in /root/*) die "MANY_CLUSTERS_DIR must not be under /root";; esac
if [ "$(id -u)" -eq 0 ]; then
  command -v setpriv >/dev/null || die "running as root needs setpriv (util-linux) to run PostgreSQL as 'nobody'"
  id nobody >/dev/null 2>&1 || die "running as root needs the user 'nobody' to run PostgreSQL as"
fi

# ---- Build ------------------------------------------------------------------------------------
source scripts/find-jdk.sh
say "building the bench module and the server distribution (mvn -pl bench -am package)"
# package, never install: ~/.m2's snapshots may be another worktree's. build-classpath in the same
# reactor run resolves Cellar's modules to the jars just built here, not to ~/.m2.
mvn -B -q -ntp -pl bench -am package dependency:build-classpath -DskipTests \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=runtime >&2
DIST=$REPO_ROOT/server/target/cellar
[ -d "$DIST/lib" ] && [ -d "$DIST/pgdist" ] || die "the build left no server distribution in $DIST"

WORK=$(mktemp -d "$(readlink -f "$PARENT")/cellar-many-clusters.XXXXXX")
chmod 755 "$WORK"
BENCH_PID=""

# Whether process PID runs (a zombie does not: postmasters are reparented to PID 1, which may reap
# them only seconds after they exit) under the name COMM (an id may have been reused since).
runs_as() { # PID COMM
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ] && [ "$(awk '{print $1}' <<<"${stat##*)}")" != Z ]
}

# Stops the processes whose ids the bench JVM recorded in FILE and that still run as COMM: SIGTERM,
# SIGKILL after 10 s.
kill_recorded() { # FILE COMM
  local file=$1 comm=$2 pid pids=() alive=()
  [ -s "$file" ] || return 0
  while read -r pid; do
    [[ "$pid" =~ ^[0-9]+$ ]] && runs_as "$pid" "$comm" && pids+=("$pid")
  done <"$file"
  [ ${#pids[@]} -gt 0 ] || return 0
  say "stopping what the bench JVM left running: $comm ${pids[*]}"
  kill -TERM "${pids[@]}" 2>/dev/null || true
  for _ in $(seq 1 100); do
    alive=()
    for pid in "${pids[@]}"; do runs_as "$pid" "$comm" && alive+=("$pid"); done
    [ ${#alive[@]} -eq 0 ] && return 0
    sleep 0.1
  done
  kill -KILL "${alive[@]}" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  # The bench JVM stops its load, the daemon and every server from its shutdown hook; what it
  # could not stop (it was killed) is stopped here, by the ids it recorded.
  if [ -n "$BENCH_PID" ] && kill -0 "$BENCH_PID" 2>/dev/null; then
    kill -TERM "$BENCH_PID" 2>/dev/null || true
    for _ in $(seq 1 900); do kill -0 "$BENCH_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$BENCH_PID" 2>/dev/null && { say "the bench JVM did not stop within 90 s; killing it"; kill -KILL "$BENCH_PID" 2>/dev/null || true; }
  fi
  kill_recorded "$WORK/daemon.pid" java
  kill_recorded "$WORK/postmasters.pids" postgres
  if [ "${MANY_CLUSTERS_KEEP:-0}" = 1 ] || [ $rc -ne 0 ]; then
    say "work directory kept: $WORK (serve.log is the daemon's log)"
  else
    rm -rf "$WORK"
  fi
  say "many-clusters.sh: $(( $(date +%s) - BENCH_START )) s in all"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

private_classpath "$WORK"
# The daemon runs from the distribution's lib/, as bin/backupctl runs it.
cp -r "$DIST/lib" "$WORK/daemon-lib"

args=(--clusters "$CLUSTERS" --minutes "$MINUTES" --work "$WORK" --daemon-classpath "$WORK/daemon-lib/*"
      --xmx "${MANY_CLUSTERS_XMX:-512m}")
[ "${MANY_CLUSTERS_BACKUPS:-1}" = 0 ] && args+=(--no-backups)
[ "${MANY_CLUSTERS_NMT:-1}" = 0 ] && args+=(--no-nmt)
for opt in ${MANY_CLUSTERS_JAVA_OPTS:-}; do args+=(--daemon-java-option "$opt"); done
# shellcheck disable=SC2206
args+=(${MANY_CLUSTERS_ARGS:-})

say "running ManyClustersBench: $CLUSTERS clusters, $MINUTES min; work directory $WORK"
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Xmx512m -cp "$CLASSPATH_BENCH" \
  -Dcellar.pg.dist="$DIST/pgdist" -Dpg.majors="${MANY_CLUSTERS_MAJORS:-}" \
  dev.cellar.bench.ManyClustersBench "${args[@]}" &
BENCH_PID=$!
# (wait returns early on a signal, so the trap runs while the JVM is still up and can stop it.)
status=0
wait "$BENCH_PID" || status=$?
BENCH_PID=""
exit $status
