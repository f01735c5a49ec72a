#!/usr/bin/env bash
# Restreaming benchmark: cold-edge start (first request on an edge to a playable playlist) for a
# captured static stream and for an on-demand stream, and the edge's CPU per pulled stream next
# to the capturing server's CPU per captured stream (both copy MPEG-TS over HTTP), same run.
# Usage: bench/edge.sh [RUNS] [STREAMS]   (env SEGMENT_MS, default 2000)
set -euo pipefail
cd "$(dirname "$0")/.."
. ops/lib/postgres.sh
tributary_pg_ensure
export TRIBUTARY_TEST_DB_URL="${TRIBUTARY_TEST_DB_URL:-$(tributary_jdbc_url tributary_test)}"
# Through the reactor (no install into ~/.m2): packages the apps, then runs the bench class.
./mvnw -B -q -pl e2e -am verify -Dtest=EdgeBench -Dtributary.excluded-groups= -Dsurefire.failIfNoSpecifiedTests=false \
  -Dbench.runs="${1:-3}" -Dbench.streams="${2:-4}" -Dbench.segment-ms="${SEGMENT_MS:-2000}" \
  -Dtributary.redirect-test-output=false 2>&1 | grep -E '^EDGE|ERROR|FAIL' || true
