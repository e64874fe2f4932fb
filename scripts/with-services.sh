#!/usr/bin/env bash
# Run a command against the real PostgreSQL and Redis on loopback.
# Under CI=true they must be there: start them if they are down, fail if they cannot be reached.
# Elsewhere, use them when they answer and say so when they do not (tests that need them then skip).
set -euo pipefail

PG_URL_DEFAULT="postgres://postgres@127.0.0.1:5432/test"
REDIS_URL_DEFAULT="redis://127.0.0.1:6379/1"  # db 1: tests never touch a dev db 0
ci="${CI:-false}"

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
redis_up() { python3 - <<'PY' 2>/dev/null
import socket
s = socket.create_connection(("127.0.0.1", 6379), timeout=1)
s.sendall(b"PING\r\n")
assert s.recv(16).startswith(b"+PONG")
PY
}

wait_for() {  # wait_for CHECK SECONDS
  for _ in $(seq "$2"); do "$1" && return 0; sleep 1; done
  return 1
}

if [ "$ci" = "true" ]; then
  if ! pg_up; then
    echo "PostgreSQL is down; starting it."
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
    wait_for pg_up 30 || { echo "PostgreSQL cannot be reached on 127.0.0.1:5432." >&2; exit 1; }
  fi
  if ! redis_up; then
    echo "Redis is down; starting it."
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
    wait_for redis_up 30 || { echo "Redis cannot be reached on 127.0.0.1:6379." >&2; exit 1; }
  fi
  export DATABASE_URL="${DATABASE_URL:-$PG_URL_DEFAULT}"
  export REDIS_URL="${REDIS_URL:-$REDIS_URL_DEFAULT}"
else
  if [ -z "${DATABASE_URL:-}" ] && pg_up; then
    export DATABASE_URL="$PG_URL_DEFAULT"
  fi
  if [ -z "${REDIS_URL:-}" ] && redis_up; then
    export REDIS_URL="$REDIS_URL_DEFAULT"
  fi
  echo "Tests use: database ${DATABASE_URL:-SQLite (PostgreSQL not reachable)}; Redis ${REDIS_URL:-not reachable: Redis tests skip}"
fi

exec "$@"
