#!/usr/bin/env bash
# Prints the path of a Python >= 3.12 interpreter, or explains how to get one and fails.
# Order: python3.13, python3.12, python3 on PATH (each with a version check, because a pyenv
# shim may exist without a working interpreter behind it), then the pyenv versions.
set -u
fits() {
    "$1" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}
for candidate in python3.13 python3.12 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && fits "$candidate"; then
        command -v "$candidate"; exit 0
    fi
done
if command -v pyenv >/dev/null 2>&1; then
    root=$(pyenv root)
    for candidate in $(ls -d "$root"/versions/3.1[2-9]* 2>/dev/null | sort -Vr); do
        if fits "$candidate/bin/python3"; then echo "$candidate/bin/python3"; exit 0; fi
    done
fi
echo "Klantvriend needs Python 3.12 or newer, and none was found." >&2
echo "Install it (for example with your package manager or pyenv) and run the command again." >&2
exit 1
