#!/usr/bin/env bash
# Runs every test of Cellar: unit tests, then integration tests against real PostgreSQL 15-18
# servers (started from Maven-shipped binaries) and an in-process S3 endpoint.
#   scripts/test.sh                     all tests, all majors
#   scripts/test.sh -Dpg.majors=17      integration tests against PostgreSQL 17 only
# Extra arguments go to Maven.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/find-jdk.sh
exec mvn -B -ntp verify "$@"
