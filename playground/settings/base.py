"""Settings shared by every environment; the defaults need no external services.

Environment modules (``local``, ``test``, ``production``) import everything from
here and override only what differs. ``SECRET_KEY`` is deliberately absent: each
environment must choose one.
"""

import os
from pathlib import Path
from typing import Any

from whitenoise.compress import Compressor

from web.static_files import add_static_file_headers, static_file_is_immutable

from .environment import (
    env_bool,
    env_int,
    env_list,
    origin_from_url,
    redis_settings,
    s3_storage_from_env,
)

# The repository root (this file is playground/settings/base.py).
BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Everything the service writes at run time in development: database, uploads,
# collected static files. Ignored by git.
VAR_DIR = BASE_DIR / "var"

DEBUG = False
ALLOWED_HOSTS: list[str] = []

INSTALLED_APPS = [
    # `runserver` is WhiteNoise's wrapper around daphne's: it serves ASGI (websockets,
    # as daphne does in production) and leaves /static/ to WhiteNoise, so development
    # serves static files with the same headers as production (COOP/COEP for Pyodide).
    "whitenoise.runserver_nostatic",
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Its Swagger UI files for /api/docs.
    "ninja",
    # The site's pages; before allauth, so its templates/allauth/ restyles allauth's pages.
    "pages",
    "allauth",
    "allauth.account",
    "accounts",
    "web",
    "storage",
    "notebooks",
    "sharing",
    "packages",
    "serverkernels",
    "classroom",
    "folders",
]

MIDDLEWARE = [
    # First: every later reader of REMOTE_ADDR (rate limits, logs) sees the client's
    # address, not the reverse proxy's (TRUSTED_PROXIES below).
    "web.client_address.ClientAddressMiddleware",
    # Bodies over DATA_UPLOAD_MAX_MEMORY_SIZE (413) and input that is not text (a NUL, 400):
    # refused with a clear message before anything reads them.
    "web.request_checks.RequestChecksMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Requests to USERCONTENT_ORIGIN get their own, cookieless URL routes (docs/security.md).
    "web.usercontent.UserContentMiddleware",
    # Static files answer here, before sessions and CSRF; their headers come from
    # WHITENOISE_ADD_HEADERS_FUNCTION below, not from the middleware after this one.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "web.middleware.SecurityHeadersMiddleware",
    "web.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "playground.urls"
# What the user-content site (USERCONTENT_ORIGIN) serves: the playground and nothing else.
USERCONTENT_URLCONF = "playground.usercontent_urls"
WSGI_APPLICATION = "playground.wsgi.application"
ASGI_APPLICATION = "playground.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Each app's templates/ (pages holds base.html and the error pages).
        "DIRS": [],
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

DATABASES: dict[str, dict[str, Any]] = {
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
# The apps' own static/ folders (pages: site.css, theme.js) are found by the default finders.
STATICFILES_DIRS: list[Path] = []
if FRONTEND_DIST_DIR.is_dir():
    STATICFILES_DIRS.append(FRONTEND_DIST_DIR)
# The user guide at /help/ renders README.md and docs/*.md from here (pages/help_docs.py).
HELP_DOCS_ROOT = BASE_DIR
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
# Notebook content (every revision, write-once) goes to the "notebooks" storage: local
# files under var/notebooks by default, S3-compatible object storage when S3_BUCKET is
# set (S3_PREFIX, S3_ENDPOINT_URL, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_REGION).
NOTEBOOKS_STORAGE = s3_storage_from_env() or {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": VAR_DIR / "notebooks"},
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "notebooks": NOTEBOOKS_STORAGE,
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
# Bounds of WHEELS_CACHE_DIR (per machine): the least recently served wheels are
# evicted to keep within both.
WHEELS_CACHE_MAX_BYTES = env_int("WHEELS_CACHE_MAX_BYTES", 2 * 1024 * 1024 * 1024)
WHEELS_CACHE_MAX_FILES = env_int("WHEELS_CACHE_MAX_FILES", 10_000)
# Seconds to wait for the upstream index to connect or send more bytes.
WHEELS_UPSTREAM_TIMEOUT = env_int("WHEELS_UPSTREAM_TIMEOUT", 20)
# Seconds one request may spend on upstream in all (project page and file), so an index
# that trickles bytes cannot hold a worker; it may overrun by one WHEELS_UPSTREAM_TIMEOUT,
# and the sum must stay below GUNICORN_TIMEOUT.
WHEELS_UPSTREAM_DEADLINE = env_int("WHEELS_UPSTREAM_DEADLINE", 60)
# Requests that make the server ask upstream (a wheel or project page not cached) per
# client address (IPv6: per /64) per clock hour; beyond it 429. Cached answers are free.
WHEELS_UPSTREAM_FETCHES_PER_CLIENT = env_int("WHEELS_UPSTREAM_FETCHES_PER_CLIENT", 120)
# Requests per machine that may wait on upstream at once; beyond it 503 at once, so a
# slow index never holds every worker. Default: half of gunicorn's workers.
WHEELS_UPSTREAM_CONCURRENCY = env_int(
    "WHEELS_UPSTREAM_CONCURRENCY",
    max(1, env_int("WEB_CONCURRENCY", max(2, 2 * (os.cpu_count() or 1))) // 2),
)
# How long a project's file list is reused before asking upstream again (new releases
# appear after at most this long).
WHEELS_INDEX_CACHE_SECONDS = env_int("WHEELS_INDEX_CACHE_SECONDS", 300)
# How long after that an old list is still served when upstream fails, is slow or busy.
WHEELS_INDEX_STALE_SECONDS = env_int("WHEELS_INDEX_STALE_SECONDS", 24 * 3600)

# --- origins -------------------------------------------------------------------------
# Notebook code and output run on USERCONTENT_ORIGIN, a site that has no cookies, no
# session and no API of ours (docs/security.md); the app (accounts, dashboard, API)
# lives on APP_ORIGIN and embeds the playground from there in a frame.
APP_ORIGIN = origin_from_url(os.environ.get("APP_ORIGIN") or "http://127.0.0.1:8000", "APP_ORIGIN")
USERCONTENT_ORIGIN = origin_from_url(
    os.environ.get("USERCONTENT_ORIGIN") or "http://localhost:8000", "USERCONTENT_ORIGIN"
)

# Reverse proxies whose X-Forwarded-For is believed (addresses or networks,
# comma-separated): requests from them carry the client's address in that header
# (web/client_address.py). Empty: REMOTE_ADDR is the client, as under `make run`.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")

# --- accounts (django-allauth) -------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "notebooks:dashboard"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Playground] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
# Per client IP (and per account for failed log-ins); counted in the default cache,
# which is Redis in production so every server process shares the counts.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/h/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}
# Local development prints mail (verification links) on the console; production sends
# it through SMTP (production.py).
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Playground <noreply@localhost>")

# --- cache, channel layer (Redis when REDIS_URL is set) ------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "").strip() or None
CACHES, CHANNEL_LAYERS = redis_settings(REDIS_URL)
# Revision content is immutable: each process keeps the most recently read ones, each
# at most storage.blobs._CACHE_MAX_BYTES (128 KiB): 2000 of them take at most 250 MiB.
CACHES["revisions"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "playground-revisions",
    "OPTIONS": {"MAX_ENTRIES": env_int("REVISION_CACHE_ENTRIES", 2000)},
}

# --- server kernels (serverkernels/, deploy/README.md) ------------------------------
# Off without Redis (`make run`): the page then says so and notebooks run in the browser.
KERNELS_REDIS_URL = os.environ.get("KERNELS_REDIS_URL", "").strip() or REDIS_URL
# Off even with Redis: SERVER_KERNELS=0.
SERVER_KERNELS = env_bool("SERVER_KERNELS", True)
KERNELS_REDIS_PREFIX = os.environ.get("KERNELS_REDIS_PREFIX", "pgk")
# The Celery queue kernel workers listen on (`celery worker -Q <it>`).
KERNELS_CELERY_QUEUE = os.environ.get("KERNELS_CELERY_QUEUE", "kernels")
# Kernels one person may have running at once; more wait in the queue.
KERNELS_PER_USER = env_int("KERNELS_PER_USER", 2)
# Shut down after this long with nothing running, no page open and no command.
KERNEL_IDLE_SECONDS = env_int("KERNEL_IDLE_SECONDS", 20 * 60)
KERNEL_MAX_AGE_SECONDS = env_int("KERNEL_MAX_AGE_SECONDS", 12 * 3600)
# serverkernels.sandbox.Limits (docs/security.md, "Server kernels: the sandbox").
KERNEL_LIMITS = {
    "memory_bytes": env_int("KERNEL_MEMORY_BYTES", 2 * 1024**3),
    "cpu_seconds": env_int("KERNEL_CPU_SECONDS", 3600),
    "processes": env_int("KERNEL_PROCESSES", 256),
    "file_size_bytes": env_int("KERNEL_FILE_SIZE_BYTES", 1024**3),
    "workdir_bytes": env_int("KERNEL_WORKDIR_BYTES", 1024**3),
    "output_bytes_per_run": env_int("KERNEL_OUTPUT_BYTES_PER_RUN", 16 * 1024**2),
}
# Kernels each worker process starts ahead of need (serverkernels/pool.py), so a
# session or a restart takes one that is up; each costs an idle interpreter's memory.
KERNEL_POOL_SIZE = env_int("KERNEL_POOL_SIZE", 1)
# Only for a development machine without bubblewrap: kernels then run with limits
# and a filtered environment but no namespaces. Never in production.
KERNEL_ALLOW_UNSANDBOXED = env_bool("KERNEL_ALLOW_UNSANDBOXED", False)
# The interpreter (and its virtualenv: deploy/kernel-requirements.txt) kernels run on.
KERNEL_PYTHON = os.environ.get("KERNEL_PYTHON", "")
# Pure-Python packages a kernel's cells import and its environment lacks are installed
# by its worker from this PEP 691 index (our own /wheels/ proxy, on the user-content
# site) into a read-only directory of that kernel (serverkernels/extras.py); empty: off.
# A worker on another machine sets it to its USERCONTENT_ORIGIN + /wheels/simple/.
KERNEL_WHEELS_INDEX_URL = os.environ.get(
    "KERNEL_WHEELS_INDEX_URL", f"{USERCONTENT_ORIGIN}/wheels/simple/"
).strip()
KERNEL_EXTRAS_MAX_BYTES = env_int("KERNEL_EXTRAS_MAX_BYTES", 200 * 1024**2)
KERNEL_EXTRAS_INSTALL_SECONDS = env_int("KERNEL_EXTRAS_INSTALL_SECONDS", 120)
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "").strip() or KERNELS_REDIS_URL
# --- autograding (classroom/grading.py, docs/classroom.md) ---------------------------
# On whenever Redis is (the queue and the broker are the kernels'); GRADING=0 turns it off.
GRADING = env_bool("GRADING", True)
GRADING_CELERY_QUEUE = os.environ.get("GRADING_CELERY_QUEUE", "grading")
# Per submission: the notebook's run, each test, everything; the sandbox's limits.
GRADING_NOTEBOOK_SECONDS = env_int("GRADING_NOTEBOOK_SECONDS", 60)
GRADING_TEST_SECONDS = env_int("GRADING_TEST_SECONDS", 10)
GRADING_SUBMISSION_SECONDS = env_int("GRADING_SUBMISSION_SECONDS", 300)
GRADING_SANDBOX_LIMITS = {
    "memory_bytes": env_int("GRADING_MEMORY_BYTES", 1024**3),
    "cpu_seconds": env_int("GRADING_CPU_SECONDS", 120),
    "processes": env_int("GRADING_PROCESSES", 64),
    "file_size_bytes": env_int("GRADING_FILE_SIZE_BYTES", 64 * 1024**2),
    "workdir_bytes": env_int("GRADING_WORKDIR_BYTES", 64 * 1024**2),
}
CELERY_TASK_ROUTES = {
    "serverkernels.*": {"queue": KERNELS_CELERY_QUEUE},
    "classroom.*": {"queue": GRADING_CELERY_QUEUE},
}
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A kernel task holds its slot for hours: a worker takes a task only into a free slot,
# never into a queue of its own behind busy ones while another worker has room.
CELERY_WORKER_DISABLE_PREFETCH = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- limits --------------------------------------------------------------------------
NOTEBOOK_MAX_BYTES = env_int("NOTEBOOK_MAX_BYTES", 2 * 1024 * 1024)
# A save carries the notebook as a JSON string, whose escapes (\n, \", and \uXXXX from
# clients that escape non-ASCII, as Python's json does) make it up to three times as
# long: Django must not refuse such a request before the size check can say why.
DATA_UPLOAD_MAX_MEMORY_SIZE = 3 * NOTEBOOK_MAX_BYTES + 64 * 1024
# Notebook folders (docs/folders.md): one file's size, files in one folder, how long a
# file's signed address on the user-content site lasts (at least; it changes daily).
FOLDER_FILE_MAX_BYTES = env_int("FOLDER_FILE_MAX_BYTES", 100 * 1000 * 1000)
FOLDER_FILES_MAX = env_int("FOLDER_FILES_MAX", 200)
FOLDER_URL_MAX_AGE = env_int("FOLDER_URL_MAX_AGE", 86400)
# An upload request may carry several files (multipart) up to this many bytes.
FOLDER_UPLOAD_MAX_BYTES = env_int("FOLDER_UPLOAD_MAX_BYTES", 2 * FOLDER_FILE_MAX_BYTES)
NOTEBOOKS_PER_USER = env_int("NOTEBOOKS_PER_USER", 500)
STORAGE_PER_USER_BYTES = env_int("STORAGE_PER_USER_BYTES", 200 * 1024 * 1024)
# Share links a user may create per hour (the API answers 429 beyond it).
SHARE_LINKS_PER_HOUR = env_int("SHARE_LINKS_PER_HOUR", 60)
# Notebooks in the trash are purged (`manage.py purge_trash`) after this many days.
TRASH_RETENTION_DAYS = env_int("TRASH_RETENTION_DAYS", 30)
# Staff who get error mail in production (comma-separated addresses).
ADMINS = [("Playground admin", address) for address in env_list("ADMIN_EMAILS")]
