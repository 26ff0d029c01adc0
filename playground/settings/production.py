"""Production settings: every deployment difference comes from the environment.

Required: ``SECRET_KEY``, ``ALLOWED_HOSTS`` (comma-separated host names) and
``DATABASE_URL`` (``postgres://user:password@host:5432/name``; a PostgreSQL driver
must then be installed). Optional: ``CSRF_TRUSTED_ORIGINS`` (comma-separated
``https://`` origins), ``SECURE_SSL_REDIRECT`` (default on), ``SECURE_HSTS_SECONDS``
(default 60; raise it once HTTPS is known to work everywhere), ``STATIC_ROOT``, and
the playground's ``PYODIDE_PACKAGES_URL``, ``FRONTEND_DIST_DIR`` and ``WHEELS_*``
(see ``base``).

Static files: build the frontend (``make frontend-build``), then run
``manage.py collectstatic``; WhiteNoise serves ``STATIC_ROOT`` with the gzip
variants collectstatic made.
"""

import os
from pathlib import Path

from .base import *  # noqa: F403
from .base import STATIC_ROOT, STORAGES
from .environment import database_from_url, env_bool, env_list, env_required

DEBUG = False
SECRET_KEY = env_required("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    env_required("ALLOWED_HOSTS")  # raises, naming the variable
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

DATABASES = {"default": database_from_url(env_required("DATABASE_URL"))}

STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", STATIC_ROOT))
# collectstatic writes a .gz next to each compressible file (see
# WHITENOISE_SKIP_COMPRESS_EXTENSIONS in base); WhiteNoise sends it to browsers that
# accept gzip. Not the Manifest variant: Vite's files are already hashed, and Pyodide
# loads its files by their plain names.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Served behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "60"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# HSTS for subdomains and the browser preload list commit every subdomain to HTTPS
# for months: a per-deployment decision (the variables above), not a default.
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]
