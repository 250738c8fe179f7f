#!/usr/bin/env bash
# zstd speed on WAL-like and table-like data, and a durable LocalStore put against a raw
# sequential write with one fsync, on the disk of DIR.
#   bench/storage.sh [codecMiB=64] [storeMiB=256] [dir=/tmp]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/find-jdk.sh
mvn -B -q -ntp -pl bench -am install -DskipTests
mvn -B -q -ntp -pl bench dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=runtime
exec java -Xmx4g --enable-native-access=ALL-UNNAMED \
  -cp "bench/target/classes:$(cat bench/target/bench.classpath)" dev.cellar.bench.StorageBench "$@"
