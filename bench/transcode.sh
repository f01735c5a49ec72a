#!/usr/bin/env bash
# Frames per second of one 1080p -> 720p/480p/360p ladder (x264 veryfast, AAC) in the agent's
# in-process transcoder vs the bundled ffmpeg CLI with the same settings and threads, on the same
# generated input, in the same run; prints both, their ratio, and how many such ladders one
# agent would keep in real time (25 fps).
# Usage: bench/transcode.sh     env: SECONDS_OF_INPUT (default 12), ROUNDS (default 2; agent and CLI
# alternate, best of each is compared, so load from others on a shared machine hits both alike)
# Needs: java 17, the Maven wrapper's offline repository, Debian's libpulse0 (bundled ffmpeg only).
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl worker-agent -am test -Dtest=LadderBench -Dsurefire.failIfNoSpecifiedTests=false \
  -Dtributary.redirect-test-output=false -Dbench.seconds="${SECONDS_OF_INPUT:-12}" -Dbench.rounds="${ROUNDS:-2}" 2>&1 | grep '^BENCH' | sed 's/^BENCH //'
