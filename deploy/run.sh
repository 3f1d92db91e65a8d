#!/usr/bin/env bash
# One command for a lecture hall: N replicas of the app behind HAProxy, run by supervisord.
#   deploy/run.sh                      # N = cores, students open http://THIS-MACHINE:8501
#   deploy/run.sh --replicas 4 --port 8501 --data-dir /srv/alexnet
#   deploy/run.sh ctl status           # supervisorctl for the running deployment
# Needs Debian's haproxy and supervisor (sudo apt-get install haproxy supervisor) and the app's
# Python environment (pip install -r requirements.txt); PYTHON picks the interpreter.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-$(command -v python || command -v python3)}"
exec "$PYTHON" -m deploy "$@"
