#!/bin/sh
# Installs a Tributary worker agent on a Debian or Ubuntu server as the systemd unit
# `tributary-worker`. POSIX sh, so it also runs as
#   curl -fsSL http://CONTROL_PLANE:8080/install/worker.sh | sudo sh -s -- --cluster-key KEY
# Idempotent: a second run with the same options changes nothing. See docs/operations.md.
set -eu

# The control plane replaces the marker below with its own URL when it serves this script at
# /install/worker.sh, so `--control-plane` may be left out there.
DEFAULT_CONTROL_PLANE='@CONTROL_PLANE_URL@'
case "$DEFAULT_CONTROL_PLANE" in @*@) DEFAULT_CONTROL_PLANE="" ;; esac

UNIT_NAME=tributary-worker.service
SERVICE_USER=tributary
JAR_DIR=/opt/tributary
JAR_PATH=$JAR_DIR/worker-agent.jar
ENV_DIR=/etc/tributary
ENV_PATH=$ENV_DIR/worker.env
UNIT_PATH=/etc/systemd/system/$UNIT_NAME
DATA_DIR=/var/lib/tributary
DVR_DIR=$DATA_DIR/dvr
WAIT_SECONDS=${TRIBUTARY_INSTALL_WAIT:-90}

usage() {
  cat <<'EOF'
usage: install-worker.sh --control-plane URL --cluster-key KEY [options]
       install-worker.sh --uninstall [--purge] [--root DIR]

Installs the Tributary worker agent as the systemd unit tributary-worker:
  /opt/tributary/worker-agent.jar          downloaded from <control plane>/downloads/worker-agent.jar
  /etc/tributary/worker.env                its settings (mode 600)
  /etc/systemd/system/tributary-worker.service
  /var/lib/tributary, /var/lib/tributary/dvr   data and recordings, owned by user tributary

options:
  --control-plane URL   control plane base URL, e.g. http://10.0.0.1:8080
  --cluster-key KEY     the cluster key of the agents (TRIBUTARY_CLUSTER_KEY of the control plane)
  --hostname H          name of this server in the cluster (default: hostname -f)
  --port P              HTTP port of the agent (default 8090)
  --public-url U        URL viewers and peers use to reach this server (default http://H:P)
  --dvr-root DIR        DVR archive root (default /var/lib/tributary/dvr); outside /home, /usr, /etc
  --dvr-disk-limit SIZE bytes all DVR archives on this server may use (e.g. 500G; K/M/G/T are
                        powers of 1024); default: no limit (TRIBUTARY_DVR_MIN_FREE still applies)
  --jar FILE            install this jar instead of downloading it
  --root DIR            install into DIR instead of / (tests, packaging): no user, no systemd
  --no-start            install and enable the unit, but do not start it
  --uninstall           stop and remove the unit, config and jar; keeps recordings and data
  --purge               with --uninstall: also remove /var/lib/tributary and the user
  -h, --help            this text
EOF
}

say() { printf 'install-worker: %s\n' "$*"; }
warn() { printf 'install-worker: WARNING: %s\n' "$*" >&2; }
die() { printf 'install-worker: %s\n' "$*" >&2; exit 1; }

CP_URL="${TRIBUTARY_CONTROL_PLANE_URL:-$DEFAULT_CONTROL_PLANE}"
CLUSTER_KEY="${TRIBUTARY_CLUSTER_KEY:-}"
NODE_HOSTNAME=""
PORT=8090
PUBLIC_URL=""
LOCAL_JAR=""
DVR_ROOT_OPT=""
DVR_DISK_LIMIT=""
ROOT=""
NO_START=0
UNINSTALL=0
PURGE=0
PRINT_UNIT=0

need_arg() { [ "$2" -ge 2 ] || die "$1 needs a value (see --help)"; }
while [ "$#" -gt 0 ]; do
  case "$1" in
    --control-plane) need_arg "$1" "$#"; CP_URL="$2"; shift 2 ;;
    --control-plane=*) CP_URL="${1#*=}"; shift ;;
    --cluster-key) need_arg "$1" "$#"; CLUSTER_KEY="$2"; shift 2 ;;
    --cluster-key=*) CLUSTER_KEY="${1#*=}"; shift ;;
    --hostname) need_arg "$1" "$#"; NODE_HOSTNAME="$2"; shift 2 ;;
    --hostname=*) NODE_HOSTNAME="${1#*=}"; shift ;;
    --port) need_arg "$1" "$#"; PORT="$2"; shift 2 ;;
    --port=*) PORT="${1#*=}"; shift ;;
    --public-url) need_arg "$1" "$#"; PUBLIC_URL="$2"; shift 2 ;;
    --public-url=*) PUBLIC_URL="${1#*=}"; shift ;;
    --dvr-root) need_arg "$1" "$#"; DVR_ROOT_OPT="$2"; shift 2 ;;
    --dvr-root=*) DVR_ROOT_OPT="${1#*=}"; shift ;;
    --dvr-disk-limit) need_arg "$1" "$#"; DVR_DISK_LIMIT="$2"; shift 2 ;;
    --dvr-disk-limit=*) DVR_DISK_LIMIT="${1#*=}"; shift ;;
    --jar) need_arg "$1" "$#"; LOCAL_JAR="$2"; shift 2 ;;
    --jar=*) LOCAL_JAR="${1#*=}"; shift ;;
    --root) need_arg "$1" "$#"; ROOT="$2"; shift 2 ;;
    --root=*) ROOT="${1#*=}"; shift ;;
    --no-start) NO_START=1; shift ;;
    --uninstall) UNINSTALL=1; shift ;;
    --purge) PURGE=1; shift ;;
    --print-unit) PRINT_UNIT=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; printf '\n' >&2; die "unknown option: $1" ;;
  esac
done

# ------------------------------------------------------------------ helpers

java_path() {
  if [ -x /usr/bin/java ]; then printf '/usr/bin/java\n'; return 0; fi
  command -v java 2>/dev/null || printf '/usr/bin/java\n'
}

# The unit text; ops/systemd/tributary-worker.service is the same with @JAVA@ not replaced.
unit_text() {
  cat <<EOF
# Tributary worker agent. Installed by ops/install-worker.sh (which embeds this text and
# replaces @JAVA@ with the path of the Java runtime); its settings are in the EnvironmentFile,
# documented in docs/worker-agent.md.
[Unit]
Description=Tributary worker agent (media node)
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
User=$SERVICE_USER
Group=$SERVICE_USER
EnvironmentFile=$ENV_PATH
WorkingDirectory=$DATA_DIR
ExecStart=$1 \$JAVA_OPTS -jar $JAR_PATH
Restart=on-failure
RestartSec=2
# The JVM exits with 143 on SIGTERM after a clean shutdown.
SuccessExitStatus=143
TimeoutStopSec=30
# Every viewer, segment file and FFmpeg input holds descriptors.
LimitNOFILE=65536
SyslogIdentifier=tributary-worker
NoNewPrivileges=true
PrivateTmp=true
ProtectSystem=full
ProtectHome=true
ReadWritePaths=$DATA_DIR

[Install]
WantedBy=multi-user.target
EOF
}

if [ "$PRINT_UNIT" = 1 ]; then unit_text "@JAVA@"; exit 0; fi

have() { command -v "$1" >/dev/null 2>&1; }
systemd_running() { [ -z "$ROOT" ] && [ -d /run/systemd/system ] && have systemctl; }

# http_code URL [bearer]: prints the HTTP status, or 000 when nothing answers.
http_code() {
  if have curl; then
    if [ -n "${2:-}" ]; then
      curl -s -o /dev/null -w '%{http_code}' --connect-timeout 5 --max-time 15 \
        -H "Authorization: Bearer $2" "$1" 2>/dev/null || true
    else
      curl -s -o /dev/null -w '%{http_code}' --connect-timeout 5 --max-time 15 "$1" 2>/dev/null || true
    fi
  else
    if [ -n "${2:-}" ]; then
      wget -q -S -O /dev/null -T 15 -t 1 --header="Authorization: Bearer $2" "$1" 2>&1 | awk '/^  HTTP\//{c=$2} END{print c}' || true
    else
      wget -q -S -O /dev/null -T 15 -t 1 "$1" 2>&1 | awk '/^  HTTP\//{c=$2} END{print c}' || true
    fi
  fi
}

# http_body URL: prints the body of a 2xx answer, nothing otherwise.
http_body() {
  if have curl; then
    curl -fsS --connect-timeout 2 --max-time 5 "$1" 2>/dev/null || true
  else
    wget -q -T 5 -t 1 -O - "$1" 2>/dev/null || true
  fi
}

# download URL FILE: fails on any non-2xx answer.
download() {
  if have curl; then
    curl -fsS --connect-timeout 5 --max-time 600 -o "$2" "$1"
  else
    wget -q -T 60 -t 2 -O "$2" "$1"
  fi
}

CHANGED=0
# install_file SRC DEST MODE: replaces DEST with SRC only when the content differs; fixes
# the mode when it differs. Sets CHANGED=1 when it wrote anything. Consumes SRC.
install_file() {
  if [ -f "$2" ] && cmp -s "$1" "$2"; then
    rm -f "$1"
    if [ "$(stat -c %a "$2")" != "$3" ]; then chmod "$3" "$2"; say "fixed mode of $2"; CHANGED=1; fi
    say "unchanged: $2"
    return 0
  fi
  chmod "$3" "$1"
  mv -f "$1" "$2"
  say "wrote $2"
  CHANGED=1
}

ensure_dir() { # DIR MODE [OWNER]
  if [ ! -d "$1" ]; then mkdir -p "$1"; say "created $1"; fi
  if [ "$(stat -c %a "$1")" != "$2" ]; then chmod "$2" "$1"; fi
  if [ -n "${3:-}" ] && [ "$(stat -c %U "$1")" != "$3" ]; then chown "$3:$3" "$1"; fi
}

# A value that goes into worker.env: no quotes, spaces, backslashes, `$` or control characters.
check_value() {
  [ -n "$2" ] || die "$1 must not be empty"
  if [ "$(printf '%s' "$2" | wc -l)" -ne 0 ] \
      || ! printf '%s' "$2" | grep -q '^[A-Za-z0-9._~:/?#@!&+,;=%-]*$'; then
    die "$1 '$2' has characters that are not allowed in it"
  fi
}

# ------------------------------------------------------------------ checks

[ -z "$ROOT" ] || case "$ROOT" in /*) ROOT="${ROOT%/}" ;; *) ROOT="$(pwd)/$ROOT" ;; esac
if [ -z "$ROOT" ] && [ "$(id -u)" -ne 0 ]; then
  die "must run as root (sudo sh install-worker.sh ...), or use --root DIR to install into a scratch directory"
fi
[ "$PURGE" = 0 ] || [ "$UNINSTALL" = 1 ] || die "--purge goes with --uninstall"

R="$ROOT"

# ------------------------------------------------------------------ uninstall

if [ "$UNINSTALL" = 1 ]; then
  if systemd_running && [ -f "$UNIT_PATH" ]; then
    systemctl disable --now "$UNIT_NAME" >/dev/null 2>&1 || true
    say "stopped and disabled $UNIT_NAME"
  fi
  for f in "$R$UNIT_PATH" "$R$ENV_PATH" "$R$JAR_PATH"; do
    if [ -e "$f" ]; then rm -f "$f"; say "removed $f"; fi
  done
  rmdir "$R$ENV_DIR" 2>/dev/null && say "removed $R$ENV_DIR" || true
  rmdir "$R$JAR_DIR" 2>/dev/null && say "removed $R$JAR_DIR" || true
  if systemd_running; then systemctl daemon-reload || true; fi
  if [ "$PURGE" = 1 ]; then
    if [ -d "$R$DATA_DIR" ]; then rm -rf "$R$DATA_DIR"; say "purged $R$DATA_DIR (data and recordings)"; fi
    if [ -z "$ROOT" ] && id "$SERVICE_USER" >/dev/null 2>&1; then
      userdel "$SERVICE_USER" >/dev/null 2>&1 && say "removed user $SERVICE_USER" || warn "could not remove user $SERVICE_USER"
    fi
  elif [ -d "$R$DATA_DIR" ]; then
    say "kept $R$DATA_DIR (data and recordings; --purge removes them)"
  fi
  say "uninstalled"
  exit 0
fi

[ -n "$CP_URL" ] || die "--control-plane URL is required (e.g. --control-plane http://10.0.0.1:8080)"
CP_URL="${CP_URL%/}"
case "$CP_URL" in http://*|https://*) ;; *) die "--control-plane must be an http:// or https:// URL, got '$CP_URL'" ;; esac
check_value --control-plane "$CP_URL"
[ -n "$CLUSTER_KEY" ] || die "--cluster-key KEY is required (the control plane's TRIBUTARY_CLUSTER_KEY)"
check_value --cluster-key "$CLUSTER_KEY"
if [ -z "$NODE_HOSTNAME" ]; then
  NODE_HOSTNAME="$(hostname -f 2>/dev/null || true)"
  [ -n "$NODE_HOSTNAME" ] || NODE_HOSTNAME="$(hostname)"
fi
case "$NODE_HOSTNAME" in
  *[!A-Za-z0-9.-]*|''|-*) die "--hostname '$NODE_HOSTNAME' is not a valid host name (letters, digits, '.', '-')" ;;
esac
case "$PORT" in *[!0-9]*|'') die "--port must be a number, got '$PORT'" ;; esac
[ "$PORT" -ge 1 ] && [ "$PORT" -le 65535 ] || die "--port must be within 1..65535, got $PORT"
[ -n "$PUBLIC_URL" ] || PUBLIC_URL="http://$NODE_HOSTNAME:$PORT"
PUBLIC_URL="${PUBLIC_URL%/}"
if [ -n "$DVR_ROOT_OPT" ]; then
  case "$DVR_ROOT_OPT" in
    /*) ;; *) die "--dvr-root must be an absolute path, got '$DVR_ROOT_OPT'" ;;
  esac
  case "$DVR_ROOT_OPT" in
    *..*) die "--dvr-root must not contain '..', got '$DVR_ROOT_OPT'" ;;
    /home|/home/*|/root|/root/*|/usr|/usr/*|/etc|/etc/*|/boot|/boot/*)
      die "--dvr-root $DVR_ROOT_OPT is read-only or hidden for the service (ProtectSystem/ProtectHome): use e.g. /srv/dvr" ;;
  esac
  check_value --dvr-root "$DVR_ROOT_OPT"
  DVR_DIR="${DVR_ROOT_OPT%/}"
fi
if [ -n "$DVR_DISK_LIMIT" ]; then
  printf '%s' "$DVR_DISK_LIMIT" | grep -Eq '^[0-9]+[KMGTkmgt]?$' \
    || die "--dvr-disk-limit must be a number of bytes with an optional K, M, G or T suffix (e.g. 500G), got '$DVR_DISK_LIMIT'"
fi
case "$PUBLIC_URL" in http://*|https://*) ;; *) die "--public-url must be an http:// or https:// URL, got '$PUBLIC_URL'" ;; esac
check_value --public-url "$PUBLIC_URL"
[ -z "$LOCAL_JAR" ] || [ -f "$LOCAL_JAR" ] || die "--jar $LOCAL_JAR: no such file"

if ! have curl && ! have wget; then
  if [ -z "$ROOT" ] && have apt-get; then
    say "installing curl"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q curl >/dev/null || die "apt-get install curl failed"
  else
    die "curl or wget is needed"
  fi
fi
if [ -z "$ROOT" ] && [ "$NO_START" = 0 ] && ! systemd_running; then
  die "systemd is not running on this machine, so the unit cannot start; use --no-start to install only"
fi

# The control plane must answer, and accept the key, before anything is changed.
code="$(http_code "$CP_URL/config-external/streams?host=$NODE_HOSTNAME" "$CLUSTER_KEY")"
case "$code" in
  2??) say "control plane $CP_URL accepts the cluster key" ;;
  401|403) die "cluster key rejected by $CP_URL (HTTP $code): use the control plane's TRIBUTARY_CLUSTER_KEY" ;;
  000|'') die "control plane unreachable at $CP_URL (no HTTP answer from $CP_URL/config-external/streams)" ;;
  *) die "unexpected answer $code from $CP_URL/config-external/streams: is $CP_URL a Tributary control plane?" ;;
esac

# ------------------------------------------------------------------ Java

java_major() {
  "$1" -version 2>&1 | awk -F'"' '/version/ { split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit }'
}
JAVA="$(java_path)"
major="$( [ -x "$JAVA" ] && java_major "$JAVA" || true)"
if [ -z "$major" ] || [ "$major" -lt 17 ]; then
  if [ -n "$ROOT" ]; then
    warn "no Java 17+ at $JAVA on this machine; the target needs one (apt-get install -y default-jre-headless)"
  else
    have apt-get || die "Java 17+ is needed and apt-get is missing: install a Java 17+ runtime first"
    say "installing a Java runtime (apt-get install -y default-jre-headless)"
    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null || warn "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends default-jre-headless >/dev/null \
      || die "apt-get install default-jre-headless failed"
    JAVA="$(java_path)"
    major="$(java_major "$JAVA" || true)"
    if [ -z "$major" ] || [ "$major" -lt 17 ]; then
      say "default Java is ${major:-missing}; installing openjdk-17-jre-headless"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends openjdk-17-jre-headless >/dev/null \
        || die "Java 17+ is needed and openjdk-17-jre-headless could not be installed"
      JAVA="$(java_path)"
    fi
  fi
fi

# ------------------------------------------------------------------ libsrt (SRT publish)

# Optional: TRIBUTARY_SRT_PORT (SRT publish on one port shared by streamid) needs the system libsrt.
if [ -z "$ROOT" ] && have apt-get && have dpkg \
    && ! dpkg -s libsrt1.5-openssl >/dev/null 2>&1 && ! dpkg -s libsrt1.5-gnutls >/dev/null 2>&1; then
  say "installing libsrt for SRT publish (apt-get install -y libsrt1.5-openssl)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends libsrt1.5-openssl >/dev/null \
    || warn "apt-get install libsrt1.5-openssl failed: SRT publish (TRIBUTARY_SRT_PORT) will not start on this server"
fi

# ------------------------------------------------------------------ files

WORK="$(mktemp -d "${TMPDIR:-/tmp}/tributary-install.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

if [ -n "$LOCAL_JAR" ]; then
  cp "$LOCAL_JAR" "$WORK/worker-agent.jar"
else
  download "$CP_URL/downloads/worker-agent.jar" "$WORK/worker-agent.jar" \
    || die "could not download $CP_URL/downloads/worker-agent.jar"
fi
# A jar is a zip: refuse an HTML error page or a truncated file.
[ "$(head -c 2 "$WORK/worker-agent.jar")" = PK ] || die "$CP_URL/downloads/worker-agent.jar is not a jar"

OWNER=""
if [ -z "$ROOT" ]; then
  if ! id "$SERVICE_USER" >/dev/null 2>&1; then
    useradd --system --user-group --home-dir "$DATA_DIR" --no-create-home \
      --shell /usr/sbin/nologin --comment "Tributary worker agent" "$SERVICE_USER"
    say "created system user $SERVICE_USER"
  fi
  OWNER="$SERVICE_USER"
else
  say "--root: not creating user $SERVICE_USER (the unit runs as it; create it on the target)"
fi

ensure_dir "$R$JAR_DIR" 755
ensure_dir "$R$ENV_DIR" 755
ensure_dir "$R/etc/systemd/system" 755
ensure_dir "$R$DATA_DIR" 750 "$OWNER"
ensure_dir "$R$DVR_DIR" 750 "$OWNER"

install_file "$WORK/worker-agent.jar" "$R$JAR_PATH" 644

cat >"$WORK/worker.env" <<EOF
# Tributary worker agent settings, written by install-worker.sh. Every key and its default:
# docs/worker-agent.md. Apply a change with: systemctl restart tributary-worker
TRIBUTARY_CONTROL_PLANE_URL=$CP_URL
TRIBUTARY_CLUSTER_KEY=$CLUSTER_KEY
TRIBUTARY_HOSTNAME=$NODE_HOSTNAME
TRIBUTARY_HTTP_PORT=$PORT
TRIBUTARY_PUBLIC_URL=$PUBLIC_URL
TRIBUTARY_DATA_DIR=$DATA_DIR
TRIBUTARY_DVR_ROOT=$DVR_DIR
JAVA_OPTS=-XX:+ExitOnOutOfMemoryError -XX:+UseSerialGC -XX:TieredStopAtLevel=1
MALLOC_ARENA_MAX=2
# SRT publish on one UDP port for every stream (streamid=NAME), off unless set:
#TRIBUTARY_SRT_PORT=9000
EOF
if [ -n "$DVR_DISK_LIMIT" ]; then
  printf 'TRIBUTARY_DVR_DISK_LIMIT=%s\n' "$DVR_DISK_LIMIT" >>"$WORK/worker.env"
fi
install_file "$WORK/worker.env" "$R$ENV_PATH" 600

unit_text "$JAVA" >"$WORK/unit"
install_file "$WORK/unit" "$R$UNIT_PATH" 644

# ------------------------------------------------------------------ start

if [ -n "$ROOT" ]; then
  say "installed into $ROOT (not enabled or started: --root)"
  exit 0
fi

if ! systemd_running; then
  # Only with --no-start: without it the script refused earlier.
  say "installed; systemd does not run here, so $UNIT_NAME is neither enabled nor started"
  exit 0
fi
systemctl daemon-reload
if ! systemctl is-enabled --quiet "$UNIT_NAME" 2>/dev/null; then
  systemctl enable --quiet "$UNIT_NAME"
  say "enabled $UNIT_NAME"
fi
if [ "$NO_START" = 1 ]; then
  say "installed; not started (--no-start): systemctl start $UNIT_NAME"
  exit 0
fi
if systemctl is-active --quiet "$UNIT_NAME"; then
  if [ "$CHANGED" = 1 ]; then systemctl restart "$UNIT_NAME"; say "restarted $UNIT_NAME (its files changed)"; fi
else
  systemctl start "$UNIT_NAME"
  say "started $UNIT_NAME"
fi

say "waiting up to ${WAIT_SECONDS}s for the agent on http://127.0.0.1:$PORT/health to report to $CP_URL"
# The agent's /health says "control_plane":"reachable" once its last report got an answer.
waited=0
health=""
while [ "$waited" -lt "$WAIT_SECONDS" ]; do
  health="$(http_body "http://127.0.0.1:$PORT/health")"
  case "$health" in
    *'"control_plane":"unreachable"'*|*'"control_plane" : "unreachable"'*|'') ;;
    *'"status"'*)
      say "the agent $NODE_HOSTNAME runs and reports to $CP_URL; its media URL is $PUBLIC_URL"
      exit 0 ;;
  esac
  systemctl is-failed --quiet "$UNIT_NAME" && break
  sleep 1
  waited=$((waited + 1))
done
journalctl -u "$UNIT_NAME" -n 30 --no-pager >&2 2>/dev/null || true
case "$health" in
  *unreachable*) die "the agent runs but cannot report to $CP_URL (check the URL and the firewall; journalctl -u $UNIT_NAME)" ;;
esac
die "the agent did not become healthy within ${WAIT_SECONDS}s (journalctl -u $UNIT_NAME)"
