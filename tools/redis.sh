#!/usr/bin/env bash
# Starts a throwaway Redis server for the test suite (BullMQ runs, the fault tests) and for trying
# multi-machine runs by hand, installing Debian's redis-server package first if the machine lacks
# it. Append-only file on with fsync on every write, so a Redis restart (or crash) loses nothing.
# Prints the REDIS_URL on its last line. Re-running reuses a server that is up.
#
#   tools/redis.sh            start (or reuse) and print the URL
#   tools/redis.sh stop       stop it and delete its data
set -euo pipefail

PORT="${LEFFA_REDIS_PORT:-63799}"
DATA="${LEFFA_REDIS_DATA:-/tmp/leffa-redis-$PORT}"
URL="redis://127.0.0.1:$PORT"

if ! command -v redis-server >/dev/null 2>&1; then
  echo "redis: installing Debian's redis-server package" >&2
  apt-get update -qq >&2
  # The package's post-install may start a system server on 6379; ours runs on its own port.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
fi

ping() { redis-cli -p "$PORT" ping 2>/dev/null | grep -q PONG; }

if [[ "${1:-}" == "stop" ]]; then
  ping && redis-cli -p "$PORT" shutdown >/dev/null 2>&1 || true
  rm -rf "$DATA"
  exit 0
fi

if ! ping; then
  mkdir -p "$DATA"
  # noeviction: BullMQ's keys must never be dropped for memory.
  redis-server --port "$PORT" --bind 127.0.0.1 --dir "$DATA" --daemonize yes \
    --pidfile "$DATA/redis.pid" --logfile "$DATA/redis.log" \
    --appendonly yes --appendfsync always --save "" --maxmemory-policy noeviction >/dev/null
  for _ in $(seq 1 50); do
    ping && break
    sleep 0.1
  done
  ping || { echo "redis: did not start; see $DATA/redis.log" >&2; exit 1; }
fi
echo "$URL"
