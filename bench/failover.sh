#!/usr/bin/env bash
# Failover benchmark: kill -9 of the agent capturing 1 and then 20 streams, 10 runs each, 2 s
# segments; prints p50/p95 of kill -> first segment on the new owner next to the detection time.
# Usage: bench/failover.sh [RUNS] [STREAMS]
# Builds with the reactor (package, never install): the e2e harness starts the packaged jars
# from the modules' target directories.
set -euo pipefail
cd "$(dirname "$0")/.."
. ops/lib/postgres.sh
tributary_pg_ensure
export TRIBUTARY_TEST_DB_URL="${TRIBUTARY_TEST_DB_URL:-$(tributary_jdbc_url tributary_test)}"
[ -f control-plane/target/quarkus-app/quarkus-run.jar ] && [ -f worker-agent/target/worker-agent.jar ] \
  || ./mvnw -B -q -DskipTests package
./mvnw -B -q -pl e2e -am verify -Dtest=FailoverBench -Dtributary.excluded-groups= -Dsurefire.failIfNoSpecifiedTests=false \
  -Dbench.runs="${1:-10}" -Dbench.streams="${2:-20}" -Dtributary.redirect-test-output=false 2>&1 | grep -E '^FAILOVER|ERROR|FAIL' || true
