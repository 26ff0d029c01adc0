"""Settings for the test suite: fast hashing, files in memory, nothing on disk."""

from .base import *  # noqa: F403

SECRET_KEY = "playground-tests-only"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

# Tests create users; the default hasher is slow on purpose.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# No collectstatic in tests: WhiteNoise serves the static directories (frontend/dist
# when built, as tests/browser needs) through the finders, indexed when it starts.
# Without a STATIC_ROOT it does not warn about a missing var/static.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
