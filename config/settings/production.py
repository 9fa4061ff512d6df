"""Production: refuses to start with unsafe values rather than run insecurely."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, VAR_DIR, env_bool

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith(("dev-", "django-insecure")):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters in production, "
        "for example: python -c 'import secrets; print(secrets.token_urlsafe(64))'"
    )
if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the host names this site answers to.")
if env_bool("DEBUG"):
    raise ImproperlyConfigured("DEBUG must not be on in production.")
# Survey links in e-mails and QR codes are opened on customers' phones: not on this machine.
if not os.environ.get("PUBLIC_BASE_URL", "").startswith("https://"):
    raise ImproperlyConfigured(
        "PUBLIC_BASE_URL must be the https:// address customers open survey links on, "
        "for example https://klanten.slagerij-voorbeeld.nl"
    )

DEBUG = False
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# The figures kept for a minute (Today's, the scorecard, the customer list's totals), in files
# the workers share: each gunicorn worker kept its own copy in memory, so a promise kept in one
# left another's "100% kept on time" for up to a minute, and an import forgot the scorecard of
# one worker only. The workers of one machine share VAR_DIR; several app servers each keep
# their own, for a minute at most (docs/deploy.md).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": VAR_DIR / "cache",
        "OPTIONS": {"MAX_ENTRIES": 10_000},
    }
}
