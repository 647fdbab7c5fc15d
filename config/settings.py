"""Settings for What Works: one module, read from the environment (see README "Configuration")."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.utils.crypto import salted_hmac

from config.env import (
    ConfigurationError,
    env_bool,
    env_import_path,
    env_int,
    env_json_object,
    env_list,
    env_networks,
    env_url,
    secret_key,
)
from config.production import problems as production_problems

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("WHATWORKS_VAR_DIR", BASE_DIR / "var"))
# pytest sets PYTEST_VERSION; tests run tasks immediately and never touch var/huey.db.
TESTING = "PYTEST_VERSION" in os.environ

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = secret_key(VAR_DIR, DEBUG or TESTING)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
# Links in emails, exports, the API and join codes (whatworks.core.links). Production requires
# it (config/production.py); unset in development, links use the address each request came in
# on, and work without a request (tasks) uses this default.
SITE_URL = os.environ.get("SITE_URL", "").strip().rstrip("/") or "http://127.0.0.1:8000"
SITE_URL_FROM_REQUEST = not os.environ.get("SITE_URL", "").strip()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "csp",
    "ninja",
    "huey.contrib.djhuey",
    "whatworks.core",
    "whatworks.organisations",
    "whatworks.ui",
    "whatworks.initiatives",
    "whatworks.measures",
    "whatworks.trials",
    "whatworks.forum",
    "whatworks.ideas",
    "whatworks.checkins",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "whatworks.core.middleware.RequestContextMiddleware",
    "whatworks.core.middleware.IdleTimeoutMiddleware",
    # Axes must be last: it turns locked-out sign-ins into a lockout response.
    "axes.middleware.AxesMiddleware",
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
                "whatworks.ui.context_processors.service",
            ],
        },
    }
]

# --- Database: SQLite (WAL) under var/ by default, PostgreSQL when DATABASE_URL is set.
DATABASE_URL = env_url("DATABASE_URL", {"postgres", "postgresql", "sqlite"})
SQLITE_OPTIONS = {
    # IMMEDIATE transactions and a busy timeout avoid "database is locked" under many writers.
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    # secure_delete: erased values are overwritten with zeros in the file, not left in free
    # pages for anyone with a copy of it to read (whatworks.checkins.erasure).
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000; "
        "PRAGMA secure_delete=ON;"
    ),
}
if DATABASE_URL:
    # Connections are kept for a minute and checked before reuse, so a database restart
    # costs no request a 500 once it is back.
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"]["OPTIONS"] = SQLITE_OPTIONS
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "whatworks.sqlite3"),
            "OPTIONS": SQLITE_OPTIONS,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Background work: Huey on SQLite under var/, or Redis when REDIS_URL is set.
REDIS_URL = env_url("REDIS_URL", {"redis", "rediss", "unix"})
HUEY_IMMEDIATE = env_bool("HUEY_IMMEDIATE", TESTING)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": os.environ.get("HUEY_NAME", "whatworks"),
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "whatworks",
        "filename": str(VAR_DIR / "huey.db"),
        "immediate": HUEY_IMMEDIATE,
    }
HUEY["consumer"] = {"workers": 2, "worker_type": "thread"}

# The cache holds pages that a write invalidates (whatworks.core.cache) and the counters of
# every rate limit (whatworks.core.ratelimit): both are wrong unless every app server sees
# the same cache. CACHE_URL picks it: a redis:// address, or "database" (a table in the
# main database); by default Redis at REDIS_URL. Local memory (one cache per process) is
# for development and tests only: with DEBUG off the process refuses to start on it.
CACHE_URL = os.environ.get("CACHE_URL", "").strip() or (REDIS_URL or "")
CACHE_TABLE = "whatworks_cache"
if TESTING or (DEBUG and not CACHE_URL):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif CACHE_URL == "database":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": CACHE_TABLE,
        }
    }
elif CACHE_URL.split(":", 1)[0] in {"redis", "rediss", "unix"}:
    CACHES = {
        # A miss, not an error, while Redis is away (whatworks/core/cache_backends.py).
        "default": {
            "BACKEND": "whatworks.core.cache_backends.TolerantRedisCache",
            "LOCATION": CACHE_URL,
        }
    }
else:
    raise ConfigurationError(
        f"CACHE_URL must be a redis:// address or 'database'; got {CACHE_URL!r}."
        if CACHE_URL
        else "CACHE_URL is not set, and with DEBUG off every app server must share one cache: "
        "set REDIS_URL, or CACHE_URL=database."
    )

# --- Messages: outbox-only by default; SMTP or GOV.UK Notify when configured.
NOTIFY_API_KEY = os.environ.get("NOTIFY_API_KEY", "").strip() or None
# GOV.UK Notify's address; another only for a stand-in (the scale-out benchmark's fake).
NOTIFY_BASE_URL = (
    env_url("NOTIFY_BASE_URL", {"https", "http"}) or "https://api.notifications.service.gov.uk"
)
# Template name -> Notify template id, as JSON: {"invitation": "f33517ff-..."}.
NOTIFY_TEMPLATE_IDS: dict[str, str] = env_json_object("NOTIFY_TEMPLATE_IDS")
# The generic Notify template ((subject)) / ((body)) used for any template without a mapping.
NOTIFY_DEFAULT_TEMPLATE_ID = os.environ.get("NOTIFY_DEFAULT_TEMPLATE_ID", "").strip() or None
EMAIL_HOST = os.environ.get("EMAIL_HOST", "").strip() or None
MESSAGE_BACKEND = os.environ.get(
    "MESSAGE_BACKEND",
    "notify" if NOTIFY_API_KEY else ("smtp" if EMAIL_HOST else "outbox"),
)
if MESSAGE_BACKEND not in {"outbox", "smtp", "notify"}:
    raise ConfigurationError(
        f"MESSAGE_BACKEND must be outbox, smtp or notify; got {MESSAGE_BACKEND!r}."
    )
if MESSAGE_BACKEND == "notify" and not NOTIFY_API_KEY:
    raise ConfigurationError("MESSAGE_BACKEND=notify needs NOTIFY_API_KEY.")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "What Works <noreply@whatworks.localhost>"
)
# Where the feedback form's messages go (a team mailbox); unset: every active staff account.
FEEDBACK_EMAIL = os.environ.get("FEEDBACK_EMAIL", "").strip()
OUTBOX_MAX_ATTEMPTS = 8
# Long work (large imports) runs as a job on the consumers (whatworks/core/jobs.py): a job
# whose consumer has not reported progress for this long is started again by the sweep.
JOB_LEASE_SECONDS = env_int("JOB_LEASE_SECONDS", 120, minimum=5)
# Files with more rows than this are checked and imported in the background, not in the request.
IMPORT_IN_BACKGROUND_ROWS = env_int("IMPORT_IN_BACKGROUND_ROWS", 5000, minimum=1)
# The first retry after a failed send waits this long; each next one twice as long (to 6 h).
OUTBOX_RETRY_BASE_SECONDS = env_int("OUTBOX_RETRY_BASE_SECONDS", 60, minimum=1)
# A message claimed by a consumer that died before recording the send is retried after this.
OUTBOX_SEND_LEASE_SECONDS = env_int("OUTBOX_SEND_LEASE_SECONDS", 600, minimum=5)

# --- Authentication
AUTH_USER_MODEL = "organisations.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; tests hash hundreds of passwords.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "sign-in"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day
INVITATION_VALID_FOR = timedelta(days=14)

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The same client address as the audit log and the rate limits (whatworks.core.network).
AXES_CLIENT_IP_CALLABLE = "whatworks.core.network.client_address"
# Failed sign-ins allowed per client address in 15 minutes, whatever the usernames tried
# (password spraying); counted by whatworks.core.ratelimit.
SIGN_IN_FAILURES_PER_ADDRESS = env_int("SIGN_IN_FAILURES_PER_ADDRESS", 30, minimum=1)
# Calls a minute each API key may make (whatworks.organisations.api_auth).
API_KEY_REQUESTS_PER_MINUTE = env_int("API_KEY_REQUESTS_PER_MINUTE", 600, minimum=1)
# Proxies whose X-Forwarded-For is believed (CIDR list); see whatworks.core.network.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "organisations/locked_out.html"
AXES_RESET_ON_SUCCESS = True

SESSION_COOKIE_AGE = 60 * 60 * 8  # a working day
# Signed out after this many minutes without a request (whatworks.core.middleware): a
# phone left on a doorstep or a shared desk does not stay signed in to residents' records.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Security headers; secure cookies and HSTS when not DEBUG.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG and not TESTING:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Internationalisation
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files: GOV.UK Frontend compiled by `make static` into whatworks/ui/static/build.
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
MEDIA_ROOT = VAR_DIR / "media"  # uploads: outside the web root, served only through views
# Files every app server must see (forum attachments) go through Django's storage API: a
# directory all servers mount (FORUM_ATTACHMENTS_DIR) by default, or the store named here.
if os.environ.get("ATTACHMENTS_STORAGE", "").strip():
    STORAGES["attachments"] = {
        "BACKEND": env_import_path("ATTACHMENTS_STORAGE"),
        "OPTIONS": env_json_object("ATTACHMENTS_STORAGE_OPTIONS"),
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

NINJA_PAGINATION_PER_PAGE = 50  # whatworks.core.api.Pages bounds page and page_size

# --- Forum (issue 5): attachments live outside the web root and are served only by a view.
FORUM_ATTACHMENTS_DIR = Path(os.environ.get("FORUM_ATTACHMENTS_DIR", VAR_DIR / "attachments"))

# --- Ideas (issue 6, 12): each campaign's key for the keyed hashes that stand in for
# anonymous authors and voters is a file here, outside the database, destroyed when the
# campaign closes (whatworks/ideas/keys.py, docs/anonymity.md). Every app server must see
# the same directory (shared storage, like FORUM_ATTACHMENTS_DIR); keep it out of backups.
IDEAS_KEY_DIR = Path(os.environ.get("IDEAS_KEY_DIR", VAR_DIR / "ideas-keys"))
# The old site-wide key, for campaigns created before per-campaign keys (until they close).
IDEAS_AUTHOR_KEY = (
    os.environ.get("IDEAS_AUTHOR_KEY", "").strip()
    or salted_hmac("whatworks.ideas.author-key", "ideas", secret=SECRET_KEY).hexdigest()
)
# Join-code attempts allowed per address per 10 minutes (wrong or right), in the cache.
IDEAS_JOIN_ATTEMPTS = env_int("IDEAS_JOIN_ATTEMPTS", 20, minimum=1)

# --- Production refuses an unsafe configuration (config/production.py), all problems at once.
if not DEBUG and not TESTING:
    _unsafe = production_problems(
        allowed_hosts=ALLOWED_HOSTS,
        site_url=os.environ.get("SITE_URL", "").strip(),
        email_host=EMAIL_HOST,
        email_use_tls=env_bool("EMAIL_USE_TLS", True),
        notify_base_url=NOTIFY_BASE_URL,
    )
    if _unsafe:
        raise ConfigurationError(" ".join(_unsafe))
