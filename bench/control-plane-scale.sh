#!/usr/bin/env bash
# Control-plane scale: AGENTS simulated agents (no FFmpeg) reporting at 1 Hz with STREAMS streams,
# one agent holding HEAVY of them; report and config-poll latency p50/p99, control-plane CPU, and
# the time to reassign the heavy agent's streams after it is marked down.
# Usage: bench/control-plane-scale.sh [AGENTS] [STREAMS] [HEAVY] [SECONDS]
# CP_JVM_ARGS adds options to the control plane's JVM (e.g. "-XX:StartFlightRecording=filename=/tmp/cp.jfr").
set -euo pipefail
cd "$(dirname "$0")/.."
. ops/lib/postgres.sh
tributary_pg_ensure
export TRIBUTARY_TEST_DB_URL="${TRIBUTARY_TEST_DB_URL:-$(tributary_jdbc_url tributary_test)}"
./mvnw -B -q -pl e2e -am verify -Dtest=ControlPlaneScaleBench -Dtributary.excluded-groups= -Dsurefire.failIfNoSpecifiedTests=false \
  -Dbench.agents="${1:-1000}" -Dbench.streams="${2:-10000}" -Dbench.heavy="${3:-1000}" -Dbench.seconds="${4:-30}" \
  -Dtributary.cp.jvm-args="${CP_JVM_ARGS:-}" -Dtributary.redirect-test-output=false 2>&1 | grep -E "CP_SCALE|ERROR|FAIL|window=" || true
