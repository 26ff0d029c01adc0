"""Settings for the test suite: real PostgreSQL, Redis and S3 (moto), fast hashing.

``tests/real_services.py`` (a pytest plugin, loaded before Django) finds or starts the
services and sets the variables read here.
"""

import os

from .base import *  # noqa: F403
from .base import CACHES as _BASE_CACHES
from .environment import database_from_url, redis_settings, s3_storage_from_env

SECRET_KEY = "playground-tests-only"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "usercontent.testserver", "localhost", "127.0.0.1"]

# Tests create users; the default hasher is slow on purpose.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DATABASES = {
    "default": database_from_url(
        os.environ.get("PLAYGROUND_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
    )
}
# Set by tests/real_services.py; without it (a bare `manage.py check`), in-process ones.
REDIS_URL = os.environ.get("PLAYGROUND_TEST_REDIS_URL") or None
CACHES, CHANNEL_LAYERS = redis_settings(REDIS_URL)
KERNELS_REDIS_URL = os.environ.get("KERNELS_REDIS_URL", "").strip() or REDIS_URL
# No package index for server kernels unless a test gives one (tests/serverkernels/test_extras.py).
KERNEL_WHEELS_INDEX_URL = os.environ.get("KERNEL_WHEELS_INDEX_URL", "")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "").strip() or KERNELS_REDIS_URL
CACHES["default"]["KEY_PREFIX"] = f"test-{os.getpid()}"
CACHES["revisions"] = _BASE_CACHES["revisions"]
NOTEBOOKS_STORAGE = s3_storage_from_env() or NOTEBOOKS_STORAGE  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "notebooks": NOTEBOOKS_STORAGE,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
APP_ORIGIN = "http://testserver"
USERCONTENT_ORIGIN = "http://usercontent.testserver"
# No collectstatic in tests: WhiteNoise serves the static directories (frontend/dist
# when built, as tests/browser needs) through the finders, indexed when it starts.
# Without a STATIC_ROOT it does not warn about a missing var/static.
STATIC_ROOT = None  # type: ignore[assignment]  # base's is a Path; Django takes None too
WHITENOISE_USE_FINDERS = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
