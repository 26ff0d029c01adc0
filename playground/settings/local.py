"""Development settings: DEBUG on, SQLite and uploaded files under ``var/``, no Redis.

The default of ``manage.py``; ``make run`` serves with it on http://127.0.0.1:8000.
"""

from .base import *  # noqa: F403
from .base import VAR_DIR

DEBUG = True
# Only ever used on a developer's machine; production reads SECRET_KEY from the environment.
SECRET_KEY = "django-insecure-playground-local-development-only"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

# Static files straight from frontend/dist (no collectstatic), picked up as soon as a
# rebuild writes them, and never cached by the browser.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
WHITENOISE_MAX_AGE = 0

# SQLite cannot create the folder its database file goes in.
VAR_DIR.mkdir(exist_ok=True)

# Links in mails (verification, password reset) use the scheme the dev server speaks.
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
