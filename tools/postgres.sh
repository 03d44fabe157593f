#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the test suite (and for trying the shared-deployment
# mode by hand), installing Debian's package first if the machine lacks it. Prints the
# DATABASE_URL of an empty database on its last line. Re-running reuses a server that is up.
#
#   tools/postgres.sh            start (or reuse) and print the URL
#   tools/postgres.sh stop       stop it and delete its data
set -euo pipefail

PORT="${LEFFA_PG_PORT:-54329}"
DATA="${LEFFA_PG_DATA:-/tmp/leffa-postgres}"
SOCKETS="$DATA/sockets"
URL="postgresql://leffa:leffa@127.0.0.1:$PORT/leffa"

find_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [[ -x "$dir/initdb" ]] && { echo "$dir"; return 0; }
  done
  return 1
}

if ! BIN="$(find_bin)"; then
  echo "postgres: installing Debian's postgresql package" >&2
  apt-get update -qq >&2
  # The package's post-install tries to start a system cluster; we run our own on our own port.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  BIN="$(find_bin)"
fi

# initdb and postgres refuse to run as root; Debian's package creates the postgres account.
as_owner() {
  if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [[ "${1:-}" == "stop" ]]; then
  [[ -d "$DATA" ]] && as_owner "$BIN/pg_ctl" -D "$DATA/db" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$DATA"
  exit 0
fi

if ! as_owner "$BIN/pg_ctl" -D "$DATA/db" status >/dev/null 2>&1; then
  rm -rf "$DATA"
  mkdir -p "$SOCKETS"
  [[ $EUID -eq 0 ]] && chown -R postgres "$DATA"
  as_owner "$BIN/initdb" -D "$DATA/db" -U postgres --auth=trust --no-sync -E UTF8 >/dev/null
  # fsync off: a test server's data is thrown away, and durability costs seconds per test file.
  as_owner "$BIN/pg_ctl" -D "$DATA/db" -l "$DATA/server.log" -w start \
    -o "-p $PORT -k $SOCKETS -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null
  as_owner "$BIN/psql" -h "$SOCKETS" -p "$PORT" -U postgres -q -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE leffa LOGIN PASSWORD 'leffa' CREATEDB" -c "CREATE DATABASE leffa OWNER leffa" >/dev/null
fi
echo "$URL"
