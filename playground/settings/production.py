"""Production settings: every deployment difference comes from the environment.

Required: ``SECRET_KEY``, ``ALLOWED_HOSTS`` (comma-separated host names) and
``DATABASE_URL`` (``postgres://user:password@host:5432/name``; a PostgreSQL driver
must then be installed). Optional: ``CSRF_TRUSTED_ORIGINS`` (comma-separated
``https://`` origins), ``SECURE_SSL_REDIRECT`` (default on), ``SECURE_HSTS_SECONDS``
(default a year), ``TRUSTED_PROXIES`` (default loopback: nginx on the same machine),
``STATIC_ROOT``, and
the playground's ``PYODIDE_PACKAGES_URL``, ``FRONTEND_DIST_DIR`` and ``WHEELS_*``
(see ``base``).

Also required: ``REDIS_URL`` (cache for rate limits, channel layer), ``S3_BUCKET``
(with the other ``S3_*`` variables, see ``environment.s3_storage_from_env``),
``APP_ORIGIN`` and ``USERCONTENT_ORIGIN`` (two different sites, see
docs/security.md). Mail: ``EMAIL_HOST`` (and ``EMAIL_PORT``, ``EMAIL_HOST_USER``,
``EMAIL_HOST_PASSWORD``, ``EMAIL_USE_TLS``, ``DEFAULT_FROM_EMAIL``). Database
connections: ``DATABASE_CONN_MAX_AGE`` (seconds, default 60) for WSGI workers, or
``DATABASE_POOL=1`` for ASGI (daphne) processes, where persistent connections leak.

Static files: build the frontend (``make frontend-build``), then run
``manage.py collectstatic``; WhiteNoise serves ``STATIC_ROOT`` with the gzip
variants collectstatic made.
"""

import os
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import CACHES as _BASE_CACHES
from .base import STATIC_ROOT, STORAGES
from .environment import (
    database_from_url,
    env_bool,
    env_int,
    env_list,
    env_required,
    origin_from_url,
    redis_settings,
    s3_storage_from_env,
)

DEBUG = False
SECRET_KEY = env_required("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    env_required("ALLOWED_HOSTS")  # raises, naming the variable
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

DATABASES = {"default": database_from_url(env_required("DATABASE_URL"))}
if env_bool("DATABASE_POOL", default=False):
    DATABASES["default"]["OPTIONS"]["pool"] = True
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

REDIS_URL = env_required("REDIS_URL")
CACHES, CHANNEL_LAYERS = redis_settings(REDIS_URL)
KERNELS_REDIS_URL = os.environ.get("KERNELS_REDIS_URL", "").strip() or REDIS_URL
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "").strip() or KERNELS_REDIS_URL
CACHES["revisions"] = _BASE_CACHES["revisions"]

env_required("S3_BUCKET")
# Not None: env_required made sure S3_BUCKET is set.
NOTEBOOKS_STORAGE = cast("dict[str, Any]", s3_storage_from_env())

APP_ORIGIN = origin_from_url(env_required("APP_ORIGIN"), "APP_ORIGIN")
USERCONTENT_ORIGIN = origin_from_url(env_required("USERCONTENT_ORIGIN"), "USERCONTENT_ORIGIN")
if APP_ORIGIN == USERCONTENT_ORIGIN:
    raise ImproperlyConfigured(
        "USERCONTENT_ORIGIN must differ from APP_ORIGIN: notebook code runs there "
        "(docs/security.md). Use another registrable domain, e.g. example-usercontent.net."
    )
# The user-content site is served by the same processes (origin_from_url made sure it
# names a host).
ALLOWED_HOSTS.append(cast(str, urlsplit(USERCONTENT_ORIGIN).hostname))

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env_required("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
SERVER_EMAIL = DEFAULT_FROM_EMAIL  # noqa: F405

STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", STATIC_ROOT))
# collectstatic writes a .gz next to each compressible file (see
# WHITENOISE_SKIP_COMPRESS_EXTENSIONS in base); WhiteNoise sends it to browsers that
# accept gzip. Not the Manifest variant: Vite's files are already hashed, and Pyodide
# loads its files by their plain names.
STORAGES = {
    **STORAGES,
    "notebooks": NOTEBOOKS_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# nginx on the same machine (deploy/nginx.conf) is the proxy whose X-Forwarded-For
# gives the client's address; list a load balancer's addresses here too.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "127.0.0.1,::1")

# Served behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
# A year, as browsers' preload rules and security scanners expect; a first rollout
# can lower it until HTTPS is known to work (deploy/env.example).
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# HSTS for subdomains and the browser preload list commit every subdomain to HTTPS
# for months: a per-deployment decision (the variables above), not a default.
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]

# Warnings and errors (500s with their tracebacks, failed saves, an unreachable
# database) also go to stderr, which the process manager keeps (journald, docker
# logs): with DEBUG off, Django's own logging only mails them to ADMINS.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": "WARNING"},
}
