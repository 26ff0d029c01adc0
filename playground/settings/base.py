"""Settings shared by every environment; the defaults need no external services.

Environment modules (``local``, ``test``, ``production``) import everything from
here and override only what differs. ``SECRET_KEY`` is deliberately absent: each
environment must choose one.
"""

import os
from pathlib import Path

from whitenoise.compress import Compressor

from playground.static_files import add_static_file_headers, static_file_is_immutable

from .environment import env_int

# The repository root (this file is playground/settings/base.py).
BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Everything the service writes at run time in development: database, uploads,
# collected static files. Ignored by git.
VAR_DIR = BASE_DIR / "var"

DEBUG = False
ALLOWED_HOSTS: list[str] = []

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before staticfiles: `runserver` then leaves /static/ to WhiteNoise, so development
    # serves static files with the same headers as production.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "storage",
    "packages",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files answer here, before sessions and CSRF; their headers come from
    # WHITENOISE_ADD_HEADERS_FUNCTION below, not from the middleware after this one.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "playground.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "playground.urls"
WSGI_APPLICATION = "playground.wsgi.application"
ASGI_APPLICATION = "playground.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "playground" / "templates"],
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

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": VAR_DIR / "db.sqlite3",
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# The Vite build of frontend/ (docs/frontend-contract.md): served under /static/, and
# /play reads its .vite/manifest.json and playground-assets.json. Listed as a static
# directory only once it exists, so `check` passes before the first build; /play
# then answers 503 saying how to build it.
FRONTEND_DIST_DIR = Path(os.environ.get("FRONTEND_DIST_DIR", BASE_DIR / "frontend" / "dist"))
STATICFILES_DIRS = [FRONTEND_DIST_DIR] if FRONTEND_DIST_DIR.is_dir() else []
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
# Local files by default; production swaps the default backend for object storage later.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Static files (WhiteNoise). Vite's hashed assets/ and the content-keyed Pyodide snapshot
# are cached for good; everything else (pyodide/, wheels/, playground-assets.json) keeps
# its name across builds, so browsers revalidate it after a minute.
WHITENOISE_MAX_AGE = 60
WHITENOISE_IMMUTABLE_FILE_TEST = static_file_is_immutable
WHITENOISE_ADD_HEADERS_FUNCTION = add_static_file_headers
# Same-origin use only: no `Access-Control-Allow-Origin: *` on static files.
WHITENOISE_ALLOW_ALL_ORIGINS = False
# For collectstatic with compression (production): wheels are zips already, and the
# snapshot (.bin) comes with its own maximum-compression .bin.gz, which must be kept.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "whl", "bin")
WHITENOISE_MIMETYPES = {
    ".mjs": "text/javascript",
    ".wasm": "application/wasm",
    ".whl": "application/zip",
    ".bin": "application/octet-stream",
}

# Cookies: never readable from scripts, not sent on cross-site subrequests.
# production.py adds Secure. A page that posts forms reads the CSRF token from the page
# ({% csrf_token %}), not from the cookie.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# The playground page (/play). Compiled packages from Pyodide's own distribution (numpy,
# pandas, ...) load from this URL when set; unset, the page says they are not available.
PYODIDE_PACKAGES_URL = os.environ.get("PYODIDE_PACKAGES_URL") or None

# The wheel proxy (packages app, /wheels/): a PEP 691 index of pure-Python wheels only,
# proxied from this upstream index, with the files cached on disk.
WHEELS_UPSTREAM_INDEX = os.environ.get("WHEELS_UPSTREAM_INDEX", "https://pypi.org/simple/")
WHEELS_CACHE_DIR = Path(os.environ.get("WHEELS_CACHE_DIR", VAR_DIR / "wheels"))
WHEELS_MAX_BYTES = env_int("WHEELS_MAX_BYTES", 50 * 1024 * 1024)
# Seconds to wait for the upstream index to connect or send more bytes.
WHEELS_UPSTREAM_TIMEOUT = env_int("WHEELS_UPSTREAM_TIMEOUT", 20)
# How long a project's file list is reused before asking upstream again (new releases
# appear after at most this long).
WHEELS_INDEX_CACHE_SECONDS = env_int("WHEELS_INDEX_CACHE_SECONDS", 300)
