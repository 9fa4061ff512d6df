#!/usr/bin/env bash
# make run: migrate the default SQLite database, load the demo shop into an empty database,
# and serve on 127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-config.settings.local}"
py=.venv/bin/python
scripts/compile-messages.sh
$py manage.py migrate --verbosity 0
$py manage.py demo --if-empty
echo
echo "  Klantvriend runs at http://127.0.0.1:8000"
echo "  Log in as demo / demo (owner) or demo-medewerker / demo (staff). Stop with Ctrl+C."
echo
exec $py manage.py runserver 127.0.0.1:8000
