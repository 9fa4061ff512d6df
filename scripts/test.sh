#!/usr/bin/env bash
# make test: lint, layer contracts, migrations check, translations, deploy check, and the whole
# pytest suite (browser tests included) on SQLite and on a throwaway PostgreSQL cluster.
# Extra arguments go to pytest, e.g. `scripts/test.sh -k customers`.
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python

# System packages the tests need, installed on Debian when running as root.
missing=()
# Chromium's headless shell runs the browser tests (conftest.py); where only Chromium itself is
# installed and the shell cannot be, the tests run in Chromium (slower, the same pages).
wanted=()
if [ -z "${KLANTVRIEND_CHROMIUM:-}" ] && [ ! -x /usr/bin/chromium-headless-shell ]; then
    if [ -x /usr/bin/chromium ]; then wanted+=(chromium-headless-shell); else missing+=(chromium-headless-shell); fi
fi
command -v msgfmt >/dev/null 2>&1 && command -v xgettext >/dev/null 2>&1 || missing+=(gettext)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
# The zone database: the time zones, and its table of places the settings list (zone.tab).
[ -e /usr/share/zoneinfo/zone.tab ] || missing+=(tzdata)
if [ ${#missing[@]} -gt 0 ] || [ ${#wanted[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "Installing ${missing[*]} ${wanted[*]} with apt-get"
        apt-get update -qq >/dev/null || [ ${#missing[@]} = 0 ]
        if [ ${#missing[@]} -gt 0 ]; then
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
        fi
        if [ ${#wanted[@]} -gt 0 ]; then
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${wanted[@]}" >/dev/null ||
                echo "Could not install ${wanted[*]}: the browser tests run in Chromium itself."
        fi
    elif [ ${#missing[@]} -gt 0 ]; then
        echo "Missing system packages: ${missing[*]}. Install them (Debian: apt-get install ${missing[*]})." >&2
        exit 1
    fi
fi

echo "== lint"
.venv/bin/ruff check .
echo "== layer contracts"
.venv/bin/lint-imports --no-cache
echo "== translations"
# Every string shown to users must have its Dutch text: extract them afresh into a copy of each
# catalogue (the web app's, and the one `klantvriend analyse` reads: clv/i18n.py) and refuse
# untranslated or fuzzy entries. The catalogues themselves are left as they were.
for package in klantvriend clv; do
    po=$package/locale/nl/LC_MESSAGES/django.po
    saved=$(mktemp)
    cp "$po" "$saved"
    (cd $package && ../.venv/bin/django-admin makemessages -l nl --no-obsolete --no-location --verbosity 0)
    missing=$( { msgattrib --untranslated --no-wrap "$po"; msgattrib --only-fuzzy --no-wrap "$po"; } | grep '^msgid "..*"' || true)
    cp "$saved" "$po"
    rm -f "$saved"
    if [ -n "$missing" ]; then
        echo "Strings of $package without a Dutch translation (run 'make messages' and translate them):" >&2
        echo "$missing" >&2
        exit 1
    fi
done
scripts/compile-messages.sh
echo "== migrations are complete"
DJANGO_SETTINGS_MODULE=config.settings.test $py manage.py makemigrations --check --dry-run --verbosity 1
echo "== production settings pass the deployment checks"
DJANGO_SETTINGS_MODULE=config.settings.production SECRET_KEY="$($py -c 'import secrets; print(secrets.token_urlsafe(64))')" \
    ALLOWED_HOSTS=klantvriend.example PUBLIC_BASE_URL=https://klantvriend.example EMAIL_HOST=smtp.klantvriend.example DATABASE_URL="sqlite:////tmp/klantvriend-deploy-check.sqlite3" \
    $py manage.py check --deploy --fail-level WARNING

export DJANGO_ALLOW_ASYNC_UNSAFE=true
mkdir -p test-artifacts

# A throwaway PostgreSQL cluster of this run's own, stopped and removed when the script ends.
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
pgroot=$(mktemp -d /tmp/klantvriend-pg.XXXXXX)
pgport=${KLANTVRIEND_PG_PORT:-54329}
run_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
    if [ -n "${pg_tests:-}" ]; then pkill -P "$pg_tests" 2>/dev/null || true; fi
    run_pg "$pgbin/pg_ctl" -D "$pgroot/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$pgroot"
}
trap cleanup EXIT
mkdir -p "$pgroot/sock"
[ "$(id -u)" = 0 ] && chown -R postgres:postgres "$pgroot"
run_pg "$pgbin/initdb" -D "$pgroot/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
run_pg "$pgbin/pg_ctl" -D "$pgroot/data" -l "$pgroot/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $pgport -k $pgroot/sock -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null
# What does not depend on the database runs once, in the SQLite run: the CLV engine's tests
# (clv/: the engine imports no Django, a layer contract above) and the layout sweeps (marker
# `layout`: every page's width on phones and tablets, WCAG in axe), which crawl every page at
# several widths for two minutes and find the same on either database. So do the browser
# flows (marker `browser`), whose pages the view tests also request on PostgreSQL: they drive
# the same views through Chromium, five minutes of the PostgreSQL run that found nothing the
# SQLite run did not; those where two people act at once (marker `both_databases`), where the
# databases lock differently, run on both. The PostgreSQL run collects only klantvriend/ without
# the others, but for the layout tests marked `in_postgresql_run` (the tablet sweep), which it
# takes over from the SQLite run so that both end at about the same time (a `-m` given to this
# script replaces these selections).
# The tests reach the cluster through its socket in $pgroot/sock, whose round trips are shorter
# than a TCP connection's to 127.0.0.1 (the PostgreSQL run about 6% faster).
on_sqlite() {
    env -u DATABASE_URL $py -m pytest -m "not in_postgresql_run" "$@"
}
pgsocket=$(printf %s "$pgroot/sock" | sed 's|/|%2F|g')
on_postgresql() {
    DATABASE_URL="postgres://postgres@$pgsocket:$pgport/klantvriend" $py -m pytest -o testpaths=klantvriend -m "in_postgresql_run or not layout and (not browser or both_databases)" "$@"
}

# The two runs share nothing (config/settings/test.py gives each its own directory), so on a
# machine with more than one core they run side by side: the suite's time is then the slower
# run's instead of the sum of both. The PostgreSQL run's output follows the SQLite run's.
# KLANTVRIEND_TEST_SERIAL=1 runs them one after the other.
if [ "${KLANTVRIEND_TEST_SERIAL:-}" = 1 ] || [ "$(nproc)" -lt 2 ]; then
    echo "== pytest on SQLite"
    on_sqlite "$@"
    echo "== pytest on PostgreSQL"
    on_postgresql "$@"
    exit 0
fi
pg_output="$pgroot/pytest.log"
on_postgresql "$@" >"$pg_output" 2>&1 &
pg_tests=$!
echo "== pytest on SQLite (PostgreSQL runs alongside)"
sqlite_status=0
on_sqlite "$@" || sqlite_status=$?
pg_status=0
wait "$pg_tests" || pg_status=$?
pg_tests=
echo "== pytest on PostgreSQL"
cat "$pg_output"
if [ "$sqlite_status" != 0 ] || [ "$pg_status" != 0 ]; then
    echo "pytest failed: SQLite exit status $sqlite_status, PostgreSQL exit status $pg_status" >&2
    exit 1
fi
