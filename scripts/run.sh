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

"$PY" -m celery -A config worker -B -Q celery,reports -c 1 --loglevel INFO \
  --schedule "$VAR_DIR/celerybeat-schedule" >>"$VAR_DIR/worker.log" 2>&1 &
worker=$!
trap 'kill -TERM "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true' EXIT
trap 'exit 0' INT TERM
echo "Celery worker with beat: pid $worker, log $VAR_DIR/worker.log"

"$PY" manage.py runserver "$HOST:$PORT"
