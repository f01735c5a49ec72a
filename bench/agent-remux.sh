#!/usr/bin/env bash
# Copy-remux capacity of one worker agent vs N `ffmpeg -c copy -f hls` processes, side by side,
# and the time from a fake:// stream's start to its first playable playlist.
# Usage: bench/agent-remux.sh [N ...]   (default: 20)   env: WINDOW=seconds measured (default 60),
#   WARMUP=seconds after every stream runs (default 10), AGENT_JAVA_OPTS, MALLOC_ARENA_MAX (default 2)
# Needs: java 17, python3, the worker-agent jar (built if missing), Debian's libpulse0 (for the
# bundled ffmpeg executable only).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
COUNTS=("${@:-20}")
WINDOW=${WINDOW:-60}
WARMUP=${WARMUP:-10}
# The agent's JVM settings recommended in docs/worker-agent.md (ops/install-worker.sh writes them).
AGENT_JAVA_OPTS=${AGENT_JAVA_OPTS:--XX:+UseSerialGC -Xmx256m -XX:TieredStopAtLevel=1}
WORK=$(mktemp -d /tmp/tributary-bench.XXXXXX)
JAR=worker-agent/target/worker-agent.jar
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

[ -f "$JAR" ] || ./mvnw -B -q -o -pl worker-agent package -DskipTests
# shellcheck source=bench/lib/media.sh
. bench/lib/media.sh
bench_ffmpeg_env "$JAR" "$WORK"
HZ=$(getconf CLK_TCK)

cpu_ticks() { local t=0; for p in "$@"; do t=$((t + $(awk '{print $14+$15}' /proc/$p/stat 2>/dev/null || echo 0))); done; echo $t; }
rss_kb() { local t=0; for p in "$@"; do t=$((t + $(awk '/VmRSS/{print $2}' /proc/$p/status 2>/dev/null || echo 0))); done; echo $t; }
# stop_pids PID... : TERM, up to 5 s grace, then KILL (ffmpeg can linger after TERM)
stop_pids() {
  kill "$@" 2>/dev/null || true
  for _ in $(seq 1 50); do
    local alive=0; for p in "$@"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break; sleep 0.1
  done
  kill -9 "$@" 2>/dev/null || true; wait "$@" 2>/dev/null || true
}

bench_ts_source "$WORK/files/src.ts" 30

# start_agent <dir> <streams-json> : starts an agent polling a static config backend; sets APID and APORT
start_agent() {
  local dir=$1 json=$2 cfgport port
  mkdir -p "$dir/cfg" "$dir/data"
  echo "$json" > "$dir/cfg/streams"
  cfgport=$(free_port); port=$(free_port)
  (cd "$dir/cfg" && exec python3 -m http.server "$cfgport" --bind 127.0.0.1 >/dev/null 2>&1) &
  PIDS+=($!)
  TRIBUTARY_CONTROL_PLANE_URL=none TRIBUTARY_CONFIG_EXTERNAL="http://127.0.0.1:$cfgport" \
  TRIBUTARY_HOSTNAME=bench TRIBUTARY_HTTP_PORT=$port TRIBUTARY_BIND=127.0.0.1 \
  TRIBUTARY_DATA_DIR="$dir/data" TRIBUTARY_FILE_ROOT="$WORK/files" \
  MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2} java $AGENT_JAVA_OPTS -jar "$ROOT/$JAR" >"$dir/agent.log" 2>&1 &
  APID=$!; APORT=$port
  PIDS+=($APID)
}

printf "\n%-6s | %-28s | %-28s | %s\n" "N" "agent: CPU s/stream-min, RSS MB/stream" "ffmpeg: CPU s/stream-min, RSS MB/stream" "ratio ffmpeg/agent (CPU, RSS)"
for N in "${COUNTS[@]}"; do
  json='{"streams":['
  for i in $(seq 1 "$N"); do
    [ "$i" -gt 1 ] && json+=','
    json+="{\"name\":\"b$i\",\"inputs\":[{\"url\":\"file://$WORK/files/src.ts\"}],\"assignment\":{\"generation\":1}}"
  done
  json+='],"next":null}'
  start_agent "$WORK/agent-$N" "$json"
  # Up to 3 min for every stream to run (a loaded machine starts slowly), then the warm-up.
  for _ in $(seq 1 360); do
    running=$(curl -s "http://127.0.0.1:$APORT/metrics" | awk '/^tributary_agent_streams\{status="running"\}/{print $2}' || true)
    [ "${running:-0}" -ge "$N" ] && break; sleep 0.5
  done
  sleep "$WARMUP"
  running=$(curl -s "http://127.0.0.1:$APORT/metrics" | awk '/^tributary_agent_streams\{status="running"\}/{print $2}')
  t0=$(cpu_ticks "$APID"); sleep "$WINDOW"; t1=$(cpu_ticks "$APID"); arss=$(rss_kb "$APID")
  stop_pids "$APID"

  FPIDS=()
  for i in $(seq 1 "$N"); do
    mkdir -p "$WORK/ff-$N/$i"
    "$FFMPEG" -hide_banner -loglevel error -nostdin -re -stream_loop -1 -i "$WORK/files/src.ts" -c copy -f hls -hls_time 2 \
      -hls_list_size 6 -hls_flags delete_segments "$WORK/ff-$N/$i/index.m3u8" 2>/dev/null &
    FPIDS+=($!); PIDS+=($!)
  done
  sleep "$WARMUP"
  f0=$(cpu_ticks "${FPIDS[@]}"); sleep "$WINDOW"; f1=$(cpu_ticks "${FPIDS[@]}"); frss=$(rss_kb "${FPIDS[@]}")
  stop_pids "${FPIDS[@]}"

  python3 - "$N" "$t0" "$t1" "$arss" "$f0" "$f1" "$frss" "$HZ" "$WINDOW" "${running:-?}" <<'PY'
import sys
n, t0, t1, arss, f0, f1, frss, hz, window, running = sys.argv[1:]
n = int(n); hz = int(hz); window = float(window)
a_cpu = (int(t1) - int(t0)) / hz / n / (window / 60)
f_cpu = (int(f1) - int(f0)) / hz / n / (window / 60)
a_rss = int(arss) / 1024 / n
f_rss = int(frss) / 1024 / n
print(f"{n:<6} | {a_cpu:8.3f} s, {a_rss:7.1f} MB         | {f_cpu:8.3f} s, {f_rss:7.1f} MB         | "
      f"{f_cpu / a_cpu if a_cpu else float('nan'):.2f}x, {f_rss / a_rss:.2f}x   (agent running streams: {running})")
PY
done

echo
echo "fake:// start to first playable playlist (default 1280x720@25):"
start=$(date +%s%N)
start_agent "$WORK/agent-fake" '{"streams":[{"name":"demo","inputs":[{"url":"fake://demo"}],"assignment":{"generation":1}}],"next":null}'
until curl -sf "http://127.0.0.1:$APORT/health" >/dev/null; do sleep 0.05; done
up=$(date +%s%N)
until curl -sf "http://127.0.0.1:$APORT/demo/index.m3u8" | grep -q '^seg-'; do sleep 0.05; done
done_t=$(date +%s%N)
echo "  agent process start -> /health up: $(( (up - start) / 1000000 )) ms"
echo "  /health up -> first playlist with a segment (2 s segments): $(( (done_t - up) / 1000000 )) ms"
echo "  total: $(( (done_t - start) / 1000000 )) ms"
