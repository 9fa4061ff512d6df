#!/usr/bin/env bash
# make run: migrate the default SQLite database, load the demo shop into an empty database,
# and serve on 127.0.0.1:8000 (`PORT=8001 make run` for another port).
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-config.settings.local}"
port="${PORT:-8000}"
# Survey links and their QR codes point at this server unless told otherwise.
export PUBLIC_BASE_URL="${PUBLIC_BASE_URL:-http://127.0.0.1:$port}"
py=.venv/bin/python
scripts/compile-messages.sh
$py manage.py migrate --verbosity 0
# The demo command's last two lines say where Klantvriend runs and what to log in with (the
# demo's login, or, in a database that already held a business, the owner made with
# createbusiness), in the language of the rest of what it says.
demo=$($py manage.py demo --if-empty --served-at "http://127.0.0.1:$port")
head -n -2 <<<"$demo"
echo
tail -n 2 <<<"$demo" | sed 's/^/  /'
echo
exec $py manage.py runserver "127.0.0.1:$port"
