#!/usr/bin/env bash
# The embedded default behind `make run`: the web server plus one Celery worker with beat embedded (-B),
# on kombu's filesystem broker under var/broker when REDIS_URL is not set, so reports and webhooks work
# with no broker server. The worker's log is var/worker.log; both stop together.
set -euo pipefail

PY="${PY:-.venv/bin/python}"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
VAR_DIR="${VAR_DIR:-var}"
mkdir -p "$VAR_DIR"

# Plain HTTP on this machine, the embedded default: cookies go without the Secure flag, which not every client
# keeps over http:// (docs/configuration.md, INSECURE_LOCAL_HTTP). With ALLOWED_HOSTS set, or another address,
# the site is taken to be behind TLS and keeps Secure cookies.
if [ -z "${ALLOWED_HOSTS:-}" ]; then
  case "$HOST" in
    127.*|localhost|::1) export INSECURE_LOCAL_HTTP="${INSECURE_LOCAL_HTTP:-true}" ;;
  esac
fi

"$PY" -m celery -A config worker -B -Q celery,reports -c 1 --loglevel INFO \
  --schedule "$VAR_DIR/celerybeat-schedule" >>"$VAR_DIR/worker.log" 2>&1 &
worker=$!
trap 'kill -TERM "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true' EXIT
trap 'exit 0' INT TERM
echo "Celery worker with beat: pid $worker, log $VAR_DIR/worker.log"

"$PY" manage.py runserver "$HOST:$PORT"
