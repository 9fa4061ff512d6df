#!/usr/bin/env bash
# A longer schemathesis run than the one in the test suite (klantvriend/api/tests/
# test_schema_fuzz.py): every check, against a live server on 127.0.0.1 with a throwaway SQLite
# database and a demo shop, for MAX_TIME seconds (default 600).
#
#   bench/api_fuzz.sh            # or: MAX_TIME=1800 PORT=8765 bench/api_fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-8765}
MAX_TIME=${MAX_TIME:-600}
WORK=$(mktemp -d)
export DJANGO_SETTINGS_MODULE=config.settings.local DEBUG=false KLANTVRIEND_VAR_DIR="$WORK"
PY=.venv/bin/python
$PY manage.py migrate --no-input -v 0
# A small demo shop, so that generated ids often name rows that exist and requests get past
# their 404 to the work behind them (an empty business left most routes at "not found").
$PY manage.py demo --customers 60 --username fuzz --password fuzz-pw-12345 -v 0
TOKEN=$($PY manage.py apitoken fuzz)
.venv/bin/gunicorn config.wsgi -b 127.0.0.1:$PORT -w 2 --access-logfile /dev/null &
SERVER=$!
trap 'kill $SERVER; rm -rf "$WORK"' EXIT
sleep 3
.venv/bin/st run "http://127.0.0.1:$PORT/api/v1/openapi.json" \
  --checks all --exclude-checks positive_data_acceptance \
  --max-time "$MAX_TIME" -H "Authorization: Bearer $TOKEN"
