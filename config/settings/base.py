"""Settings shared by every environment. Values that differ per deployment come from the
environment (see README.md); the environment-specific modules only adjust what they must."""

import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("KLANTVRIEND_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get(
    "SECRET_KEY", "dev-only-insecure-key-change-me-in-production-0123456789"
)
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # serves the API docs page from its own static files, not a CDN
    "klantvriend.core",
    "klantvriend.customers",
    "klantvriend.promises",
    "klantvriend.complaints",
    "klantvriend.aftercare",
    "klantvriend.gestures",
    "klantvriend.today",
    "klantvriend.insights",
    "klantvriend.surveys",
    "klantvriend.referrals",
    "klantvriend.importers",
    "klantvriend.api",
    "klantvriend.web",
    "klantvriend.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "klantvriend.web.middleware.NeverStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "klantvriend.web.middleware.VisitorLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "klantvriend.web.middleware.CurrentBusinessMiddleware",
    "klantvriend.web.middleware.BusyDatabaseMiddleware",
    "klantvriend.web.middleware.FormAddressPageMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "klantvriend.web.context_processors.current_business",
            ],
            "builtins": ["klantvriend.web.templatetags.links"],
        },
    },
]

# Form widgets are Django's own templates; its Jinja2 copies of them render about three times
# faster than the template language (a profile page shows 28 fields). The pages themselves stay
# in Django's template language.
FORM_RENDERER = "django.forms.renderers.Jinja2"

# SQLite by default: WAL lets readers continue while one writer writes, the busy timeout makes a
# second writer wait instead of failing, and IMMEDIATE transactions take the write lock at BEGIN
# so that a read-then-write transaction cannot deadlock against another writer. Reads go through
# a memory map: a connection's page cache is dropped whenever another process writes, and then
# a page from the map costs no system call (a profile page at 100,000 customers: 93 -> 54 ms).
# Connections are kept for a minute, with SQLite as with PostgreSQL.
# Deleted content is overwritten with zeros (secure_delete): an erased person's data does not
# linger in free pages of the file (AVG art. 17; customers/search.py for the search index).
DEFAULT_SQLITE_PATH = VAR_DIR / "klantvriend.sqlite3"
SQLITE_OPTIONS = {
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        " PRAGMA busy_timeout=20000; PRAGMA mmap_size=1073741824; PRAGMA secure_delete=ON;"
    ),
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}
# Django's SQLite backend with a schema editor that keeps the triggers of a table it rebuilds
# (klantvriend/core/sqlite/schema.py): a migration changing a column needs no code for them.
SQLITE_ENGINE = "klantvriend.core.sqlite"


def database_from_env() -> dict:
    url = os.environ.get("DATABASE_URL", f"sqlite:///{DEFAULT_SQLITE_PATH}")
    config = dj_database_url.parse(url, conn_max_age=0)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["ENGINE"] = SQLITE_ENGINE
        config["OPTIONS"] = {**SQLITE_OPTIONS, **config.get("OPTIONS", {})}
    elif config["ENGINE"] == "django.db.backends.postgresql":
        # No JIT compilation of queries: the statements the triggers run over their transition
        # tables are estimated at millions of rows (no statistics on those), so PostgreSQL
        # compiled each with LLVM for a second or more to join a few thousand rows (renaming a
        # tag of 25,000 customers: 12.5 s, 7.0 s without; docs/benchmarks.md). The queries of
        # a page take milliseconds, far below where compiling them could pay.
        options = config.setdefault("OPTIONS", {})
        options["options"] = f"-c jit=off {options.get('options', '')}".strip()
    config["CONN_MAX_AGE"] = int(os.environ.get("DATABASE_CONN_MAX_AGE", "60"))
    config["CONN_HEALTH_CHECKS"] = True
    config["ATOMIC_REQUESTS"] = False
    return config


DATABASES = {"default": database_from_env()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "klantvriend.core.passwords.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Addresses of the web server in front of gunicorn (docs/deploy.md); it must pass the visitor's
# address in X-Forwarded-For. Failed log-ins are counted per visitor's address, not per proxy.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "127.0.0.1,::1")
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:today"
LOGOUT_REDIRECT_URL = "web:login"
SESSION_COOKIE_AGE = 60 * 60 * 12  # a working day; staff log in again the next morning
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "klantvriend" / "locale"]
# Named date formats per language (Dutch months in lower case): config/formats/<lang>/formats.py.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# A strict Content-Security-Policy: no inline script or style anywhere, nothing from other hosts.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"


def mailers_from_env() -> dict:
    """SMTP when EMAIL_HOST is set, otherwise mail is printed on the console (development)."""
    if not os.environ.get("EMAIL_HOST"):
        return {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": int(os.environ.get("EMAIL_PORT", "587")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "timeout": 30,
            },
        }
    }


MAILERS = mailers_from_env()
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "klantvriend@localhost")
# Where customers reach the public pages (survey links in e-mails and QR codes), without a
# trailing slash: links made outside a request (aftercare's invitations) need it.
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://localhost:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Survey links and calendar feeds carry their secret in the path (config/log_filters.py).
    "filters": {"secret_paths": {"()": "config.log_filters.SecretPathFilter"}},
    "formatters": {
        # Django's own, restated: configuring the logger below replaces its defaults.
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    # On the handlers, the filter cleans every record they write, whichever logger it comes from
    # (a refused CSRF token is logged with its path by django.security.csrf); on the loggers, it
    # cleans the request logs before any other handler (pytest's, an error tracker's) sees them.
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["secret_paths"]},
        "django.server": {
            "level": "INFO",
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["secret_paths"],
        },
    },
    "loggers": {
        # Named to drop the handlers Django's default logging puts here, which the filter does
        # not reach: a console handler under DEBUG (that wrote every line twice, beside the root
        # logger's) and the error e-mail to ADMINS (none are set; it would carry the request's
        # path). Django's records go to the root logger's console handler.
        "django": {"level": "INFO"},
        "django.request": {"filters": ["secret_paths"]},
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
            "filters": ["secret_paths"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

NINJA_PAGINATION_PER_PAGE = 50
