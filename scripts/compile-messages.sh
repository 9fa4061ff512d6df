#!/usr/bin/env bash
# Compiles the Dutch translations (.po -> .mo) when they changed: the web app's and those of
# `klantvriend analyse` (clv/i18n.py). The .mo files are build products and not committed.
# Without msgfmt the pure-Python compiler below is used.
set -euo pipefail
cd "$(dirname "$0")/.."
for po in klantvriend/locale/*/LC_MESSAGES/django.po clv/locale/*/LC_MESSAGES/django.po; do
    mo="${po%.po}.mo"
    if [ ! -f "$mo" ] || [ "$po" -nt "$mo" ]; then
        if command -v msgfmt >/dev/null 2>&1; then
            msgfmt --check -o "$mo" "$po"
        else
            .venv/bin/python scripts/msgfmt.py "$po" "$mo"
        fi
    fi
done
