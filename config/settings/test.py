"""The test suite: the database comes from DATABASE_URL (SQLite in a temporary file by default,
PostgreSQL when `make test` runs the suite the second time)."""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS

# A directory of this run's own, removed when the run ends: test runs side by side on one
# machine must not share (and delete) each other's database file or uploads. The uploads went to
# the checkout's var/imports, where a run under a faked clock removed another run's as stale.
_run_directory = Path(tempfile.mkdtemp(prefix="klantvriend-test-"))
atexit.register(shutil.rmtree, _run_directory, ignore_errors=True)
VAR_DIR = _run_directory / "var"

if "DATABASE_URL" not in os.environ:
    from .base import SQLITE_ENGINE, SQLITE_OPTIONS

    DATABASES = {
        "default": {
            "ENGINE": SQLITE_ENGINE,
            "NAME": str(_run_directory / "main.sqlite3"),
            "OPTIONS": SQLITE_OPTIONS,
            "TEST": {"NAME": str(_run_directory / "test.sqlite3")},
        }
    }
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; tests only
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
# Not the address the tests' requests come in on, so that a link built from the request's host
# instead of the public address shows.
PUBLIC_BASE_URL = "https://klanten.example"
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# Static files straight from the apps (no collectstatic in tests), also for the live server.
STATIC_ROOT = os.path.join(tempfile.gettempdir(), "klantvriend-static")
os.makedirs(STATIC_ROOT, exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
