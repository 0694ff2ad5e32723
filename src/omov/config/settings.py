"""Django settings for omov, read from the environment.

Environment variables (all optional in development):
- ``DEBUG``: ``1`` for development; off by default only when ``OMOV_ENV=production``.
- ``SECRET_KEY``: required when DEBUG is off.
- ``DATABASE_URL``: ``postgres://user@host:port/name``; SQLite in ``OMOV_DATA_DIR`` when unset.
- ``OMOV_DATA_DIR``: where the SQLite database and generated files live (default ``./var``).
- ``ALLOWED_HOSTS``: comma-separated host names.
- ``REDIS_URL``: use Redis for the cache (rate limits stay in the database either way).
- ``EMAIL_BACKEND``, ``EMAIL_HOST``, ``EMAIL_PORT``, ``DEFAULT_FROM_EMAIL``: outgoing mail.
- ``OMOV_CREDENTIAL_KEY``: the key for hashing voter credentials (required when DEBUG is off).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from omov.config.env import (
    database_from_url,
    env_bool,
    env_list,
    get_mandatory_secret,
)

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("OMOV_DATA_DIR", "var")).resolve()

IS_PRODUCTION = os.environ.get("OMOV_ENV", "development") == "production"
DEBUG = env_bool("DEBUG", default=not IS_PRODUCTION)
TESTING = env_bool("OMOV_TESTING", default="pytest" in sys.modules)

if DEBUG:
    SECRET_KEY = os.environ.get("SECRET_KEY") or "development-only-secret-key-not-for-production"
    CREDENTIAL_KEY = os.environ.get("OMOV_CREDENTIAL_KEY") or "development-only-credential-key"
else:
    SECRET_KEY = get_mandatory_secret("SECRET_KEY")
    CREDENTIAL_KEY = get_mandatory_secret("OMOV_CREDENTIAL_KEY")

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
    "omov.core",
    "omov.contests",
    "omov.electorate",
    "omov.nominations",
    "omov.ballots",
    "omov.results",
    "omov.campaigns",
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

DATABASES = {
    "default": database_from_url(
        os.environ.get("DATABASE_URL"), default_sqlite=DATA_DIR / "omov.sqlite3"
    )
}

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
        )
    },
}
MEDIA_ROOT = DATA_DIR / "media"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "returning-officer@omov.invalid")
OMOV_PUBLIC_URL = os.environ.get("OMOV_PUBLIC_URL", "http://127.0.0.1:8000")

# Voting and delivery limits (see docs/decisions/0003-ballot-secrecy.md).
OMOV_EMAIL_RATE = float(os.environ.get("OMOV_EMAIL_RATE", "50"))  # messages per second
OMOV_BOOTH_ATTEMPTS_PER_REFERENCE = int(os.environ.get("OMOV_BOOTH_ATTEMPTS_PER_REFERENCE", "5"))
OMOV_BOOTH_ATTEMPTS_PER_ADDRESS = int(os.environ.get("OMOV_BOOTH_ATTEMPTS_PER_ADDRESS", "60"))
OMOV_BOOTH_THROTTLE_WINDOW = int(os.environ.get("OMOV_BOOTH_THROTTLE_WINDOW", "900"))  # seconds
# Staff log-ins: failed attempts allowed per user name and per client address in each window.
OMOV_LOGIN_ATTEMPTS_PER_USER = int(os.environ.get("OMOV_LOGIN_ATTEMPTS_PER_USER", "10"))
OMOV_LOGIN_ATTEMPTS_PER_ADDRESS = int(os.environ.get("OMOV_LOGIN_ATTEMPTS_PER_ADDRESS", "50"))
OMOV_LOGIN_THROTTLE_WINDOW = int(os.environ.get("OMOV_LOGIN_THROTTLE_WINDOW", "900"))  # seconds
# How long a booth sign-in lasts (the signed booth-pass cookie), in seconds.
OMOV_BOOTH_PASS_SECONDS = int(os.environ.get("OMOV_BOOTH_PASS_SECONDS", "3600"))
# Behind a reverse proxy, trust its X-Forwarded-For so each voter has their own guessing limit.
OMOV_TRUST_X_FORWARDED_FOR = env_bool("OMOV_TRUST_X_FORWARDED_FOR", False)
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
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
