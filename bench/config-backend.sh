#!/usr/bin/env bash
# Config backend benchmark: 10,000 streams over 100 hosts; full-list and 304 latency p99 and
# requests per second, next to /q/health/live of the same server.
# Usage: bench/config-backend.sh [SECONDS] [CLIENTS]
set -euo pipefail
cd "$(dirname "$0")/.."
. ops/lib/postgres.sh
tributary_pg_ensure
export TRIBUTARY_TEST_DB_URL="${TRIBUTARY_TEST_DB_URL:-$(tributary_jdbc_url tributary_test)}"
[ -f control-plane/target/quarkus-app/quarkus-run.jar ] || ./mvnw -B -q -DskipTests install
./mvnw -B -q -o -pl e2e test -Dtest=ConfigBackendBench -Dtributary.excluded-groups= -Dsurefire.failIfNoSpecifiedTests=false \
  -Dbench.seconds="${1:-15}" -Dbench.clients="${2:-8}" -Dtributary.redirect-test-output=false 2>&1 | grep -E '^CONFIG_BACKEND|ERROR|FAIL' || true
