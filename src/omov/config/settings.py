"""Django settings for omov, read from the environment.

Every environment variable read here (and by the command line) is listed, with its default
in development and in production, in docs/configuration.md; a test keeps the two in step.

In development mode (``OMOV_ENV=development``, ``DEBUG=1`` or ``omov serve --dev``) missing keys
are drawn once and kept in ``OMOV_DATA_DIR/secrets/`` (mode 0600). Only the test settings
(``omov.config.test_settings``) use the public development keys.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from omov.config.env import (
    ConfigurationError,
    database_from_url,
    env_bool,
    env_float,
    env_int,
    env_list,
    get_mandatory_secret,
    local_secret,
    private_file_touch,
)

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("OMOV_DATA_DIR", "var")).resolve()

# -- Mode and secrets (issue 8, item 1): production unless told otherwise -----------------------
OMOV_ENV = os.environ.get("OMOV_ENV", "").strip().lower() or (
    "development" if env_bool("DEBUG", False) else "production"
)
if OMOV_ENV not in {"production", "development"}:
    raise ConfigurationError(
        f"OMOV_ENV is {OMOV_ENV!r}; set it to production (the default) or development."
    )
IS_PRODUCTION = OMOV_ENV == "production"
if IS_PRODUCTION and env_bool("DEBUG", False):
    raise ConfigurationError(
        "DEBUG=1 and OMOV_ENV=production contradict each other: production never shows debug "
        "pages. Unset DEBUG, or set OMOV_ENV=development on your own machine."
    )
DEBUG = not IS_PRODUCTION and env_bool("DEBUG", True)
TESTING = env_bool("OMOV_TESTING", default="pytest" in sys.modules)

if IS_PRODUCTION:
    SECRET_KEY = get_mandatory_secret("SECRET_KEY")
    CREDENTIAL_KEY = get_mandatory_secret("OMOV_CREDENTIAL_KEY")
else:
    SECRET_KEY = os.environ.get("SECRET_KEY") or local_secret(DATA_DIR / "secrets", "SECRET_KEY")
    CREDENTIAL_KEY = os.environ.get("OMOV_CREDENTIAL_KEY") or local_secret(
        DATA_DIR / "secrets", "OMOV_CREDENTIAL_KEY"
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "omov.core",
    "omov.contests",
    "omov.electorate",
    "omov.nominations",
    "omov.ballots",
    "omov.results",
    "omov.campaigns",
    "omov.jobs",
    "omov.trustees",
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
]

ROOT_URLCONF = "omov.config.urls"
WSGI_APPLICATION = "omov.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

if not os.environ.get("DATABASE_URL"):
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # The database holds the roll and credential hashes: owner-only from its first byte.
    private_file_touch(DATA_DIR / "omov.sqlite3")

DATABASES = {
    "default": database_from_url(
        os.environ.get("DATABASE_URL"), default_sqlite=DATA_DIR / "omov.sqlite3"
    )
}

# Background jobs (decision 0016): queued in the database, run by `omov worker`. A running
# job's progress is written outside its own transaction: on PostgreSQL through a second
# connection to the same database, on SQLite to a file of its own beside the database. The test
# suite's in-memory database has neither: progress goes through the default connection.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
OMOV_PROGRESS_FILE = ""
if not TESTING:
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        DATABASES["progress"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
    elif DATABASES["default"]["NAME"] not in ("", ":memory:"):
        OMOV_PROGRESS_FILE = f"{DATABASES['default']['NAME']}.progress"
DATABASE_ROUTERS = ["omov.jobs.routers.ProgressRouter"]
# A running job whose worker has not said it is alive for this long is queued again.
OMOV_JOB_STALE_SECONDS = max(5, env_int("OMOV_JOB_STALE_SECONDS", 180))

if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
# Forms show and accept dates as ISO 8601 (YYYY-MM-DD), the admin too (omov.config.formats).
FORMAT_MODULE_PATH = ["omov.config.formats"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and not TESTING
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        ),
        # Static files are public: readable by a web server running as another user (uploads,
        # below, are owner-only).
        "OPTIONS": {"file_permissions_mode": 0o644, "directory_permissions_mode": 0o755},
    },
}
MEDIA_ROOT = DATA_DIR / "media"
# Uploaded files (rolls, nominations) hold personal data: owner-only (issue 8, item 13).
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    # The console backend masks credentials, so a log never holds a usable one (issue 8).
    "omov.core.mail.RedactingConsoleBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
# An SMTP server that asks for a log-in, and its encryption: STARTTLS (usually port 587) or
# implicit TLS (usually port 465); one of the two at most.
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ConfigurationError(
        "EMAIL_USE_TLS and EMAIL_USE_SSL are both on; set one: EMAIL_USE_TLS=1 for STARTTLS "
        "(usually port 587) or EMAIL_USE_SSL=1 for implicit TLS (usually port 465)."
    )
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "returning-officer@omov.invalid")
# The address voters open, put in every credential email and letter. Production has no default:
# opening the ballot and sending credentials refuse until it is a public https address
# (omov.ballots.public_url).
OMOV_PUBLIC_URL = os.environ.get(
    "OMOV_PUBLIC_URL", "" if IS_PRODUCTION else "http://127.0.0.1:8000"
)
# An installation that serves only the machine it runs on (`omov demo` sets it): its voters'
# links may then be a loopback, plain-http address even in production mode.
OMOV_LOCAL_ONLY = env_bool("OMOV_LOCAL_ONLY", False)

# Voting and delivery limits (see docs/decisions/0003-ballot-secrecy.md).
OMOV_EMAIL_RATE = env_float("OMOV_EMAIL_RATE", 50.0)  # messages per second
#: Fewest declarations in a postal batch before its ballot papers are opened (decision 0010).
OMOV_POSTAL_BATCH_MINIMUM = env_int("OMOV_POSTAL_BATCH_MINIMUM", 20)
# What every credential letter prints (decision 0010): where postal votes are returned (lines
# separated by "|") and where voters get help. Production prints no letter without both.
OMOV_RETURN_ADDRESS = os.environ.get("OMOV_RETURN_ADDRESS", "")
OMOV_HELP_CONTACT = os.environ.get("OMOV_HELP_CONTACT", "")
OMOV_BOOTH_ATTEMPTS_PER_REFERENCE = env_int("OMOV_BOOTH_ATTEMPTS_PER_REFERENCE", 5)
OMOV_BOOTH_ATTEMPTS_PER_ADDRESS = env_int("OMOV_BOOTH_ATTEMPTS_PER_ADDRESS", 60)
OMOV_BOOTH_THROTTLE_WINDOW = env_int("OMOV_BOOTH_THROTTLE_WINDOW", 900)  # seconds
# Staff log-ins (omov.core.forms): failed attempts allowed per (user name, address) and per
# address in each short window, and per user name from anywhere in a longer one (issue 8).
OMOV_LOGIN_ATTEMPTS_PER_USER_ADDRESS = env_int("OMOV_LOGIN_ATTEMPTS_PER_USER_ADDRESS", 10)
OMOV_LOGIN_ATTEMPTS_PER_ADDRESS = env_int("OMOV_LOGIN_ATTEMPTS_PER_ADDRESS", 50)
OMOV_LOGIN_THROTTLE_WINDOW = env_int("OMOV_LOGIN_THROTTLE_WINDOW", 900)  # seconds
OMOV_LOGIN_ATTEMPTS_PER_USER = env_int("OMOV_LOGIN_ATTEMPTS_PER_USER", 100)
OMOV_LOGIN_USER_WINDOW = env_int("OMOV_LOGIN_USER_WINDOW", 3600)  # seconds
# How long a booth sign-in lasts (the signed booth-pass cookie), in seconds.
OMOV_BOOTH_PASS_SECONDS = env_int("OMOV_BOOTH_PASS_SECONDS", 3600)
# -- Reverse proxies (issue 8, item 8): how many proxies in front of omov append to
# X-Forwarded-For. 0 (the default) trusts no header: the client is REMOTE_ADDR. See
# omov.core.http.client_ip and docs/deployment.md.
if os.environ.get("OMOV_TRUST_X_FORWARDED_FOR"):
    raise ConfigurationError(
        "OMOV_TRUST_X_FORWARDED_FOR is replaced by OMOV_TRUSTED_PROXY_HOPS: set it to the number "
        "of reverse proxies in front of omov (1 for one nginx), and unset the old variable."
    )
OMOV_TRUSTED_PROXY_HOPS = env_int("OMOV_TRUSTED_PROXY_HOPS", 0)
if not 0 <= OMOV_TRUSTED_PROXY_HOPS <= 5:
    raise ConfigurationError("OMOV_TRUSTED_PROXY_HOPS must be between 0 and 5.")
OMOV_TURNOUT_FOR_AGENTS = env_bool("OMOV_TURNOUT_FOR_AGENTS", False)

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
    # HSTS for a year in production; SECURE_HSTS_SECONDS=0 switches it off (docs/deployment.md).
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
    # A proxy's word that the request came over HTTPS counts only when proxies are trusted.
    if OMOV_TRUSTED_PROXY_HOPS > 0:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): nothing inline, nothing from elsewhere. The booth needs no
# script at all; the one script omov serves (ballots/booth.js) comes from 'self'.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A refused permission (403) is one line, without a traceback (omov.config.log_filters).
    "filters": {"refusal": {"()": "omov.config.log_filters.RefusalWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"filters": ["refusal"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
