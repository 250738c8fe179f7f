#!/usr/bin/env bash
# The README's first command: builds Cellar's distribution, then runs `backupctl quickstart`, which
# starts a throwaway PostgreSQL from the bundled binaries, backs it up, streams its WAL and restores
# it to a point in time, explaining each step. Extra arguments go to the quickstart
# (--once, --major 15..18, --dir DIR; by default a new directory under /tmp).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/find-jdk.sh
echo "Building Cellar (the first build downloads dependencies from Maven Central)..."
mvn -B -q -ntp -DskipTests package -pl server -am
args=("$@")
case " $* " in
  *" --dir "*|*" --dir="*) ;;
  *) args+=(--dir "${TMPDIR:-/tmp}/cellar-demo-$(date +%Y%m%d-%H%M%S)") ;;
esac
exec server/target/cellar/bin/backupctl quickstart "${args[@]}"
