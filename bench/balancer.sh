#!/usr/bin/env bash
# Balancer benchmark: redirects per second and latency p99 of GET /lb/{name}/index.m3u8 on the
# control plane, next to nginx answering a fixed "return 302" on the same machine, same run,
# same wrk settings. Three simulated edges report load so the balancer really chooses.
# Usage: bench/balancer.sh [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_RUN="${1:-10}"
CONNS="${2:-32}"
for tool in wrk nginx; do
  command -v "$tool" >/dev/null 2>&1 || command -v "/usr/sbin/$tool" >/dev/null 2>&1 || {
    echo "installing $tool (apt-get install -y wrk nginx-light)" >&2
    apt-get install -y -q wrk nginx-light >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q wrk nginx-light >/dev/null; }
  }
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

work=$(mktemp -d /tmp/tributary-bench-lb.XXXXXX)
cleanup() {
  [ -n "${reporter:-}" ] && kill "$reporter" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  TRIBUTARY_DATA="$work/cluster" ops/cluster down >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
CP_PORT=$(free_port)
NGINX_PORT=$(free_port)

# The load generator gets CPU 0 and the server under test CPU 1 (the control plane, then nginx),
# the one-machine stand-in for a separate load-generator host: on shared cores the p99 is mostly
# wrk and the server waiting for each other's time slices (nginx's own is 4-6 ms there). The
# control plane started on one CPU runs one HTTP event loop (ops/cluster: io threads = nproc).
# BALANCER_SHARED_CORES=1 (or a 1-CPU machine) runs everything unpinned with wrk -t2, as before.
if [ "${BALANCER_SHARED_CORES:-0}" != 1 ] && [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null 2>&1; then
  LAYOUT="wrk -t1 on CPU 0, server on CPU 1"
  SERVER_CPU=(taskset -c 1); LOAD_CPU=(taskset -c 0); WRK_THREADS=1
else
  LAYOUT="shared cores, wrk -t2"
  SERVER_CPU=(); LOAD_CPU=(); WRK_THREADS=2
fi
WARMUP="${WARMUP:-20}"
TRIBUTARY_DATA="$work/cluster" TRIBUTARY_CP_PORT="$CP_PORT" TRIBUTARY_DB_NAME="tributary_bench_lb" \
  "${SERVER_CPU[@]}" ops/cluster up --workers 0 --no-demo >"$work/up.log" 2>&1 || { cat "$work/up.log"; exit 1; }
# shellcheck disable=SC1091
. "$work/cluster/cluster.env"
auth="Authorization: Bearer $TRIBUTARY_TOKEN"
curl -fsS -X PUT -H "$auth" -H 'Content-Type: application/json' \
  -d '{"inputs":[{"url":"fake://bench"}],"static":false}' "$TRIBUTARY_URL/api/v1/streams/bench" >/dev/null

report() {
  local i out
  for i in 1 2 3; do
    out=$((i * 100000))
    curl -fsS -X PUT -H "Authorization: Bearer $TRIBUTARY_CLUSTER_KEY" -H 'Content-Type: application/json' \
      -d "{\"public_payload_url\":\"http://edge-$i.example:8090\",\"roles\":[\"edge\"],\"stats\":{\"output_kbit\":$out,\"total_clients\":$((i*10))},\"streams\":[]}" \
      "$TRIBUTARY_URL/api/v1/agents/edge-$i" >/dev/null || true
  done
}
report
( while true; do report; sleep 1; done ) &
reporter=$!
sleep 1
code=$(curl -s -o /dev/null -w '%{http_code}' "$TRIBUTARY_URL/lb/bench/index.m3u8")
[ "$code" = 302 ] || { echo "the balancer answers $code, not 302" >&2; exit 1; }

mkdir -p "$work/nginx/logs"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx;
  proxy_temp_path $work/nginx;
  fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx;
  scgi_temp_path $work/nginx;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / { return 302 http://edge-1.example:8090\$request_uri; }
  }
}
CONF
"${SERVER_CPU[@]}" "$NGINX" -p "$work/nginx" -c "$work/nginx/nginx.conf"

# Warm the JVM up (long enough that the JIT compilers are mostly done: at 5 s C2 still took a
# tenth of the server's CPU during the measurement), then measure both with the same settings.
wrk_() { "${LOAD_CPU[@]}" wrk -t"$WRK_THREADS" -c"$CONNS" "$@"; }
wrk_ -d"${WARMUP}s" "$TRIBUTARY_URL/lb/bench/index.m3u8" >/dev/null
ours=$(wrk_ -d"${SECONDS_RUN}s" --latency "$TRIBUTARY_URL/lb/bench/index.m3u8")
theirs=$(wrk_ -d"${SECONDS_RUN}s" --latency "http://127.0.0.1:$NGINX_PORT/bench/index.m3u8")
rps() { echo "$1" | awk '/Requests\/sec/ {print $2}'; }
p99() { echo "$1" | awk '$1=="99%" {print $2}'; }
r_ours=$(rps "$ours"); r_nginx=$(rps "$theirs")
ratio=$(awk -v a="$r_ours" -v b="$r_nginx" 'BEGIN { printf "%.2f", a / b }')
echo "BALANCER $LAYOUT, -c$CONNS -d${SECONDS_RUN}s | tributary /lb: ${r_ours} req/s p99=$(p99 "$ours") | nginx return 302: ${r_nginx} req/s p99=$(p99 "$theirs") | ratio ${ratio}x | target >=0.5x, p99<=5ms"

# The same at a fixed offered load below saturation: each connection waits PACE_MS between
# requests (wrk's Lua delay()), so both servers get about CONNS * 1000 / PACE_MS requests a second
# and the p99 is the time to answer one rather than queueing in wrk's closed loop.
PACE_MS="${PACE_MS:-4}"
printf 'function delay()\n  return %s\nend\n' "$PACE_MS" >"$work/paced.lua"
ours_p=$(wrk_ -d"${SECONDS_RUN}s" --latency -s "$work/paced.lua" "$TRIBUTARY_URL/lb/bench/index.m3u8")
theirs_p=$(wrk_ -d"${SECONDS_RUN}s" --latency -s "$work/paced.lua" "http://127.0.0.1:$NGINX_PORT/bench/index.m3u8")
echo "BALANCER paced, $LAYOUT, -c$CONNS -d${SECONDS_RUN}s, ${PACE_MS} ms between requests per connection | tributary /lb: $(rps "$ours_p") req/s p99=$(p99 "$ours_p") | nginx return 302: $(rps "$theirs_p") req/s p99=$(p99 "$theirs_p") | target p99<=5ms"
load=$(cut -d' ' -f1-3 /proc/loadavg)
echo "BALANCER load average during the run: $load ($(nproc) CPUs; $LAYOUT)"
