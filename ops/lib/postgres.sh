# shellcheck shell=bash
# Finds or starts the PostgreSQL that ops/cluster and ops/test use. Sourced, not run.
#
# Order: a server reachable on $TRIBUTARY_PG_HOST:$TRIBUTARY_PG_PORT (default 127.0.0.1:5432,
# trust auth, user postgres); else a private cluster under $TRIBUTARY_DATA/postgres on port
# $TRIBUTARY_PG_PRIVATE_PORT (default 55432), initialised and started with Debian's binaries,
# as the `postgres` user when we are root (initdb refuses root); else a message on how to
# install PostgreSQL, and failure.
#
# After tributary_pg_ensure: PGHOST, PGPORT, PGUSER are exported, TRIBUTARY_PG_MODE is
# `external` or `private`, and TRIBUTARY_PG_STARTED is 1 when this call started the server.

TRIBUTARY_REPO_ROOT="${TRIBUTARY_REPO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
TRIBUTARY_DATA="${TRIBUTARY_DATA:-$TRIBUTARY_REPO_ROOT/.data}"
case "$TRIBUTARY_DATA" in /*) ;; *) TRIBUTARY_DATA="$PWD/$TRIBUTARY_DATA" ;; esac
TRIBUTARY_PG_HOST="${TRIBUTARY_PG_HOST:-127.0.0.1}"
TRIBUTARY_PG_PORT="${TRIBUTARY_PG_PORT:-5432}"
TRIBUTARY_PG_USER="${TRIBUTARY_PG_USER:-postgres}"
TRIBUTARY_PG_PRIVATE_PORT="${TRIBUTARY_PG_PRIVATE_PORT:-55432}"
TRIBUTARY_PG_DIR="${TRIBUTARY_PG_DIR:-$TRIBUTARY_DATA/postgres}"
TRIBUTARY_PG_START_TIMEOUT="${TRIBUTARY_PG_START_TIMEOUT:-60}"
TRIBUTARY_PG_MODE=""
TRIBUTARY_PG_STARTED=0

_tpg_log() { printf 'postgres: %s\n' "$*" >&2; }

# The newest Debian PostgreSQL bin dir (/usr/lib/postgresql/<major>/bin), or nothing.
tributary_pg_bindir() {
  local d best="" best_major=0 major
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] || continue
    major="$(basename "$(dirname "$d")")"
    major="${major%%.*}"
    if [ "${major:-0}" -gt "$best_major" ] 2>/dev/null; then best="$d"; best_major="$major"; fi
  done
  [ -n "$best" ] && printf '%s\n' "$best"
}

# The psql to use: the one next to the server binaries, else the one on PATH.
_tpg_tool() {
  local tool="$1" bindir
  bindir="$(tributary_pg_bindir)"
  if [ -n "$bindir" ] && [ -x "$bindir/$tool" ]; then printf '%s\n' "$bindir/$tool"; return 0; fi
  command -v "$tool" 2>/dev/null
}

# True when a PostgreSQL answers on host:port and lets the user in without a password.
tributary_pg_reachable() {
  local host="$1" port="$2" psql isready
  isready="$(_tpg_tool pg_isready || true)"
  if [ -n "$isready" ]; then
    "$isready" -q -h "$host" -p "$port" -t 3 >/dev/null 2>&1 || return 1
  fi
  psql="$(_tpg_tool psql || true)"
  [ -n "$psql" ] || return 1
  PGCONNECT_TIMEOUT=3 "$psql" -X -q -w -h "$host" -p "$port" -U "$TRIBUTARY_PG_USER" -d postgres \
    -Atc 'select 1' >/dev/null 2>&1
}

# Runs a command as the owner of the private cluster: `postgres` when we are root.
_tpg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

_tpg_install_hint() {
  cat >&2 <<'EOF'
postgres: no PostgreSQL is reachable on 127.0.0.1:5432 and none is installed.
  Install Debian's server package (the scripts start a private cluster from it, no setup needed):
      sudo apt-get update && sudo apt-get install -y postgresql
  or point the scripts at a running server (trust auth, or a ~/.pgpass entry):
      TRIBUTARY_PG_HOST=HOST TRIBUTARY_PG_PORT=PORT TRIBUTARY_PG_USER=USER ops/cluster up
EOF
}

# Starts (initialising first when needed) the private cluster under $TRIBUTARY_PG_DIR.
tributary_pg_start_private() {
  local bindir="$1" data="$TRIBUTARY_PG_DIR/data" sock="$TRIBUTARY_PG_DIR/run"
  local log="$TRIBUTARY_PG_DIR/postgres.log" port="$TRIBUTARY_PG_PRIVATE_PORT"

  if [ "$(id -u)" -eq 0 ]; then
    if ! id postgres >/dev/null 2>&1; then
      _tpg_log "running as root, but there is no 'postgres' user to own the private cluster"
      _tpg_log "(initdb refuses root). Reinstall the package: apt-get install -y postgresql"
      return 1
    fi
    if ! command -v runuser >/dev/null 2>&1; then
      _tpg_log "running as root needs 'runuser' (package util-linux) to start PostgreSQL as 'postgres'"
      return 1
    fi
  fi

  mkdir -p "$TRIBUTARY_PG_DIR" "$sock"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$TRIBUTARY_PG_DIR" "$sock"
    [ -d "$data" ] && chown -R postgres:postgres "$data"
    if ! runuser -u postgres -- test -w "$TRIBUTARY_PG_DIR"; then
      _tpg_log "the 'postgres' user cannot reach $TRIBUTARY_PG_DIR (a parent directory is not"
      _tpg_log "searchable by others, e.g. a home directory with mode 700)."
      _tpg_log "Set TRIBUTARY_PG_DIR to a directory it can reach, e.g. TRIBUTARY_PG_DIR=/var/tmp/tributary-postgres"
      return 1
    fi
  fi

  if [ ! -f "$data/PG_VERSION" ]; then
    _tpg_log "initialising a private cluster in $data"
    # initdb wants to create the directory itself or find it empty and owned by the caller.
    if ! _tpg_as_owner "$bindir/initdb" -D "$data" -A trust -U "$TRIBUTARY_PG_USER" -E UTF8 \
        --no-instructions >"$TRIBUTARY_PG_DIR/initdb.log" 2>&1; then
      _tpg_log "initdb failed; its output:"
      tail -n 20 "$TRIBUTARY_PG_DIR/initdb.log" >&2
      return 1
    fi
  fi

  _tpg_log "starting the private cluster on 127.0.0.1:$port (log: $log)"
  touch "$log"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$log"
  if ! _tpg_as_owner "$bindir/pg_ctl" -D "$data" -l "$log" -w -t "$TRIBUTARY_PG_START_TIMEOUT" \
      -o "-p $port -k $sock -c listen_addresses=127.0.0.1" start >/dev/null 2>&1; then
    _tpg_log "the private cluster did not start; the end of its log:"
    tail -n 20 "$log" >&2
    return 1
  fi
  TRIBUTARY_PG_STARTED=1
}

# Finds or starts PostgreSQL and exports PGHOST, PGPORT, PGUSER.
tributary_pg_ensure() {
  local bindir
  TRIBUTARY_PG_STARTED=0
  if tributary_pg_reachable "$TRIBUTARY_PG_HOST" "$TRIBUTARY_PG_PORT"; then
    TRIBUTARY_PG_MODE=external
    export PGHOST="$TRIBUTARY_PG_HOST" PGPORT="$TRIBUTARY_PG_PORT" PGUSER="$TRIBUTARY_PG_USER"
    _tpg_log "using the server on $PGHOST:$PGPORT"
  else
    bindir="$(tributary_pg_bindir || true)"
    if [ -z "$bindir" ]; then
      _tpg_install_hint
      return 1
    fi
    TRIBUTARY_PG_MODE=private
    if tributary_pg_reachable 127.0.0.1 "$TRIBUTARY_PG_PRIVATE_PORT"; then
      _tpg_log "using the private cluster already running on 127.0.0.1:$TRIBUTARY_PG_PRIVATE_PORT"
    else
      _tpg_log "nothing answers on $TRIBUTARY_PG_HOST:$TRIBUTARY_PG_PORT; using a private cluster ($bindir)"
      tributary_pg_start_private "$bindir" || return 1
      if ! tributary_pg_reachable 127.0.0.1 "$TRIBUTARY_PG_PRIVATE_PORT"; then
        _tpg_log "the private cluster started but does not answer on 127.0.0.1:$TRIBUTARY_PG_PRIVATE_PORT"
        tail -n 20 "$TRIBUTARY_PG_DIR/postgres.log" >&2
        return 1
      fi
    fi
    export PGHOST=127.0.0.1 PGPORT="$TRIBUTARY_PG_PRIVATE_PORT" PGUSER="$TRIBUTARY_PG_USER"
  fi
  export TRIBUTARY_PG_MODE TRIBUTARY_PG_STARTED
}

# Stops the private cluster (only ever the one under $TRIBUTARY_PG_DIR).
tributary_pg_stop_private() {
  local bindir data="$TRIBUTARY_PG_DIR/data"
  bindir="$(tributary_pg_bindir || true)"
  [ -n "$bindir" ] && [ -f "$data/postmaster.pid" ] || return 0
  _tpg_log "stopping the private cluster in $data"
  _tpg_as_owner "$bindir/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null 2>&1 || {
    _tpg_log "pg_ctl stop failed; see $TRIBUTARY_PG_DIR/postgres.log"
    return 1
  }
}

# jdbc:postgresql://PGHOST:PGPORT/<db>
tributary_jdbc_url() {
  printf 'jdbc:postgresql://%s:%s/%s\n' "$PGHOST" "$PGPORT" "$1"
}

# Runs psql against the server found by tributary_pg_ensure.
tributary_psql() {
  local psql
  psql="$(_tpg_tool psql)" || { _tpg_log "psql not found (apt-get install -y postgresql-client)"; return 1; }
  PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning" \
    "$psql" -X -q -w -v ON_ERROR_STOP=1 -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" "$@"
}

_tpg_check_name() {
  case "$1" in
    ''|*[!A-Za-z0-9_]*) _tpg_log "invalid database name '$1' (letters, digits, _ only)"; return 1 ;;
  esac
}

# Creates database <name> unless it exists.
tributary_pg_create_db() {
  local name="$1" exists
  _tpg_check_name "$name" || return 1
  exists="$(tributary_psql -d postgres -Atc "select 1 from pg_database where datname = '$name'")" || return 1
  if [ "$exists" != 1 ]; then
    _tpg_log "creating database $name"
    tributary_psql -d postgres -c "create database \"$name\"" || return 1
  fi
}

# Drops database <name> (disconnecting its sessions) and creates it empty.
tributary_pg_recreate_db() {
  local name="$1"
  _tpg_check_name "$name" || return 1
  _tpg_log "creating a fresh database $name"
  tributary_psql -d postgres -c "drop database if exists \"$name\" with (force)" || return 1
  tributary_psql -d postgres -c "create database \"$name\"" || return 1
}
