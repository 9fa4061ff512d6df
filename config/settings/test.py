"""The test suite: the database comes from DATABASE_URL (SQLite in a temporary file by default,
PostgreSQL when `make test` runs the suite the second time)."""

import os
import tempfile

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS

if "DATABASE_URL" not in os.environ:
    from .base import SQLITE_OPTIONS

    # A directory of this run's own: test runs side by side on one machine must not share (and
    # delete) each other's database file.
    _run_directory = tempfile.mkdtemp(prefix="klantvriend-test-")
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.path.join(_run_directory, "main.sqlite3"),
            "OPTIONS": SQLITE_OPTIONS,
            "TEST": {"NAME": os.path.join(_run_directory, "test.sqlite3")},
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
