#!/usr/bin/env bash
# DVR benchmark: archive segment serving by the agent vs nginx serving the same files in the same
# run (requests/s and MB/s, wrk, rounds alternating), and MP4 export speed (seconds of media per
# second of wall time) of the whole recorded range.
# Usage: bench/dvr.sh   env: RECORD=seconds recorded (default 40), DURATION=wrk seconds per round
# (default 10), ROUNDS (default 2), CONNS=wrk connections (default 16), WARMUP=untimed seconds of
# load on both servers before the rounds (default 15), AGENT_JAR=another build of the agent to
# measure (e.g. an older commit's, for a before/after in the same conditions), AGENT_JAVA_OPTS=extra JVM
# options of the agent (e.g. -XX:StartFlightRecording=filename=/tmp/dvr.jfr,settings=profile to profile it).
# Figures are indicative when the machine is shared: the load average is printed beside them.
# Needs: java 17, python3, nginx-light and wrk (apt-get install -y nginx-light wrk), the
# worker-agent jar (built if missing), Debian's libpulse0 (for the bundled ffmpeg executable).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RECORD=${RECORD:-40}
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-2}
CONNS=${CONNS:-16}
WORK=$(mktemp -d /tmp/tributary-bench-dvr.XXXXXX)
chmod 755 "$WORK" # nginx workers run as nobody
JAR=${AGENT_JAR:-worker-agent/target/worker-agent.jar}
case "$JAR" in /*) ;; *) JAR="$ROOT/$JAR" ;; esac
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  wait 2>/dev/null || true; rm -rf "$WORK"
}
trap cleanup EXIT
command -v nginx >/dev/null || { echo "nginx missing: apt-get install -y nginx-light" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk missing: apt-get install -y wrk" >&2; exit 1; }
[ -f "$JAR" ] || ./mvnw -B -q -o -pl worker-agent -am package -DskipTests
# shellcheck source=bench/lib/media.sh
. bench/lib/media.sh
bench_ffmpeg_env "$JAR" "$WORK"

bench_ts_source "$WORK/files/src.ts" 20

mkdir -p "$WORK/cfg" "$WORK/data"
echo "{\"streams\":[{\"name\":\"bench/dvr\",\"inputs\":[{\"url\":\"file://$WORK/files/src.ts\"}],\"segment_duration\":2000,\"dvr\":{\"expiration\":3600}}]}" > "$WORK/cfg/streams"
CFGPORT=$(free_port); PORT=$(free_port); NGPORT=$(free_port)
(cd "$WORK/cfg" && exec python3 -m http.server "$CFGPORT" --bind 127.0.0.1 >/dev/null 2>&1) &
PIDS+=($!)
TRIBUTARY_CONTROL_PLANE_URL=none TRIBUTARY_CONFIG_EXTERNAL="http://127.0.0.1:$CFGPORT" TRIBUTARY_DVR_MIN_FREE=0 \
TRIBUTARY_HOSTNAME=bench TRIBUTARY_HTTP_PORT=$PORT TRIBUTARY_BIND=127.0.0.1 \
TRIBUTARY_DATA_DIR="$WORK/data" TRIBUTARY_FILE_ROOT="$WORK/files" \
  java -Xmx256m ${AGENT_JAVA_OPTS:-} -jar "$JAR" >"$WORK/agent.log" 2>&1 &
APID=$!; PIDS+=($APID)
AGENT="http://127.0.0.1:$PORT"
echo "recording for ${RECORD} s..."
sleep "$RECORD"
curl -sf "$AGENT/bench/dvr/dvr_index.json?from=0&to=9999999999999" > "$WORK/index.json"
STATUS=$(curl -sf "$AGENT/bench/dvr/recording_status.json")
# the stream leaves the config: recording stops, the archive stays (both servers serve still files)
echo '{"streams":[]}' > "$WORK/cfg/streams"
sleep 7
python3 - "$WORK" <<'PY'
import json, sys, os, datetime
w = sys.argv[1]
segs = json.load(open(w + "/index.json"))["segments"]
agent, ngx = [], []
for s, d, disc in segs:
    t = datetime.datetime.fromtimestamp(s / 1000, datetime.timezone.utc)
    agent.append(f"/bench/dvr/dvr-{s}-{d}.ts")
    ngx.append(f"/bench~dvr/{t:%Y/%m/%d/%H}/{s}-{d}{'-d' if disc else ''}.ts")
for name, paths in (("agent", agent), ("nginx", ngx)):
    with open(f"{w}/{name}.lua", "w") as f:
        f.write("local paths = {" + ",".join('"%s"' % p for p in paths) + "}\n"
                "local i = 0\nrequest = function()\n  i = i % #paths + 1\n"
                "  return wrk.format('GET', paths[i])\nend\n")
print(f"{len(segs)} archive segments, {sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(w + '/data/dvr') for f in fs if f.endswith('.ts')) / len(segs) / 1e6:.2f} MB average")
PY
cat > "$WORK/nginx.conf" <<NGX
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on; tcp_nopush on;
  types { video/mp2t ts; }
  server { listen 127.0.0.1:$NGPORT; root $WORK/data/dvr; }
}
NGX
nginx -c "$WORK/nginx.conf" -p "$WORK"
NGINX="http://127.0.0.1:$NGPORT"
curl -sf -o /dev/null "$NGINX$(grep -o '"/[^"]*"' "$WORK/nginx.lua" | head -1 | tr -d '"')" || { echo "nginx does not serve the files" >&2; exit 1; }

run_wrk() { # base lua [seconds] -> "req/s MB/s"
  wrk -t2 -c"$CONNS" -d"${3:-$DURATION}s" -s "$2" "$1" | awk '/Requests\/sec/{r=$2} /Transfer\/sec/{v=$2; if (v ~ /GB/) {sub("GB","",v); v*=1000} else if (v ~ /MB/) sub("MB","",v); else if (v ~ /KB/) {sub("KB","",v); v/=1000}} END{printf "%.0f %.1f", r, v}'
}
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
# CPU time (user + system, clock ticks) of some processes: per request it depends far less on the
# other load of a shared box than req/s does.
cpu_ticks() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo "$t"; }
NGPIDS=$(cat "$WORK/nginx.pid"; pgrep -P "$(cat "$WORK/nginx.pid")" || true)
HZ=$(getconf CLK_TCK)
# Untimed warm-up of both servers: the agent's JIT compiles its serving path (a long-running
# server is always warm); nginx gets the same so the page cache is equally hot.
run_wrk "$AGENT" "$WORK/agent.lua" "${WARMUP:-15}" >/dev/null; run_wrk "$NGINX" "$WORK/nginx.lua" "${WARMUP:-15}" >/dev/null
echo "load average before the rounds: $(loadavg) ($(nproc) cores)"
best_a=0; best_n=0; ratios=()
for r in $(seq 1 "$ROUNDS"); do
  c0=$(cpu_ticks "$APID"); a=$(run_wrk "$AGENT" "$WORK/agent.lua"); c1=$(cpu_ticks "$APID")
  # shellcheck disable=SC2086
  d0=$(cpu_ticks $NGPIDS); n=$(run_wrk "$NGINX" "$WORK/nginx.lua"); d1=$(cpu_ticks $NGPIDS)
  ratio=$(python3 -c "print(f'{${a% *}/max(1, ${n% *}):.2f}')"); ratios+=("$ratio")
  cpu=$(python3 -c "d=$DURATION; print(f'{($c1-$c0)/$HZ*1000/max(1, ${a% *}*d):.2f} vs {($d1-$d0)/$HZ*1000/max(1, ${n% *}*d):.2f}')")
  echo "round $r: agent ${a% *} req/s ${a#* } MB/s | nginx ${n% *} req/s ${n#* } MB/s | ratio $ratio | CPU ms/request agent vs nginx $cpu (load $(loadavg))"
  best_a=$(python3 -c "print(max($best_a, ${a% *}))"); best_n=$(python3 -c "print(max($best_n, ${n% *}))")
done
echo "archive segments (best of $ROUNDS, $CONNS connections): agent $best_a req/s vs nginx $best_n req/s, ratio $(python3 -c "print(f'{$best_a/$best_n:.2f}')"), median of the rounds' ratios $(python3 -c "import statistics; print(statistics.median([$(IFS=,; echo "${ratios[*]}")]))") (target >= 0.80)"

FROM=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['from'])" "$STATUS")
DEPTH=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['depth'])" "$STATUS")
T0=$(date +%s.%N)
CODE=$(curl -s -o "$WORK/export.mp4" -w '%{http_code}' "$AGENT/bench/dvr/archive-$FROM-$DEPTH.mp4")
if [ "$CODE" != 200 ]; then
  echo "MP4 export failed: HTTP $CODE $(head -c 300 "$WORK/export.mp4")" >&2; tail -20 "$WORK/agent.log" >&2; exit 1
fi
T1=$(date +%s.%N)
MEDIA=$( ("$FFDIR/ffmpeg" -hide_banner -i "$WORK/export.mp4" 2>&1 || true) | sed -n 's/.*Duration: \([0-9:.]*\).*/\1/p' \
  | awk -F: '{print $1*3600+$2*60+$3}')
python3 -c "w=$T1-$T0; m=$MEDIA; print(f'MP4 export: {m:.1f} s of 720p media in {w:.2f} s wall = {m/w:.0f}x real time ({$(stat -c %s "$WORK/export.mp4")/1e6:.1f} MB)')"
