#!/usr/bin/env bash
# Idempotent set-up: a .venv with the project (and, with --dev, its test tools) installed,
# pinned by requirements/constraints.txt, and the translations compiled (scripts/compile-messages.sh).
# Re-installs only when the inputs changed.
set -euo pipefail
cd "$(dirname "$0")/.."
extras=""
stamp=".venv/.installed"
if [ "${1:-}" = "--dev" ]; then extras="[dev]"; stamp=".venv/.installed-dev"; fi

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
    python=$(scripts/find-python.sh)
    echo "Creating .venv with $python"
    rm -rf .venv
    "$python" -m venv .venv
fi
# Up to date when nothing changed since the last install and the console script finds its
# package (an editable install made before a package existed does not know it).
if [ -f "$stamp" ] && [ "$stamp" -nt pyproject.toml ] && [ "$stamp" -nt requirements/constraints.txt ] \
    && .venv/bin/klantvriend --help >/dev/null 2>&1; then
    # The translations too: without them `manage.py createbusiness` and a `runserver` started
    # by hand (README, "Your own business") speak English in a Dutch installation.
    scripts/compile-messages.sh
    exit 0
fi
echo "Installing Klantvriend$extras into .venv"
log=$(mktemp)
# With uv (from PyPI, into the .venv): the same packages, pinned by the same constraints, in
# 10 s where pip takes 38 (a fresh clone's `make test` on this project's machines). Where uv
# cannot be had or fails, pip does it as before. The output goes to a log that is shown only
# when the installation fails.
with_uv() {
    .venv/bin/python -m pip install --quiet "uv>=0.5,<1" &&
        .venv/bin/uv pip install --quiet --python .venv/bin/python -c requirements/constraints.txt -e ".$extras"
}
with_pip() {
    .venv/bin/python -m pip install --quiet --upgrade "pip>=24" &&
        .venv/bin/python -m pip install --quiet -c requirements/constraints.txt -e ".$extras"
}
if ! { with_uv || { echo "uv could not install; pip instead."; with_pip; }; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "Installing Klantvriend failed (see above)." >&2
    rm -f "$log"
    exit 1
fi
rm -f "$log"
touch "$stamp"
scripts/compile-messages.sh
