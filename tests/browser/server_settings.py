"""Settings of the service that browser tests and bench/startup.py start (see service.py).

The test settings (WhiteNoise serving ``FRONTEND_DIST_DIR`` through the finders, Redis
and moto S3 when tests/real_services.py found them), plus what service.py passes in
the environment: the database (``PLAYGROUND_BROWSER_DATABASE_URL``: PostgreSQL under
pytest, SQLite for bench/startup.py), both sites' origins (``APP_ORIGIN``,
``USERCONTENT_ORIGIN``), mail as files, and the bare-Pyodide page of ``server_urls``
next to the user-content site's own URLs.
"""

import os

from playground.settings.environment import database_from_url, origin_from_url
from playground.settings.test import *  # noqa: F403
from playground.settings.test import STORAGES

DATABASES = {"default": database_from_url(os.environ["PLAYGROUND_BROWSER_DATABASE_URL"])}
USERCONTENT_URLCONF = "tests.browser.server_urls"
APP_ORIGIN = origin_from_url(os.environ["APP_ORIGIN"], "APP_ORIGIN")
USERCONTENT_ORIGIN = origin_from_url(os.environ["USERCONTENT_ORIGIN"], "USERCONTENT_ORIGIN")
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["PLAYGROUND_BROWSER_MAIL_DIR"]
# Verification links in mails point at the app as the browser reaches it.
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
if STORAGES["notebooks"]["BACKEND"].endswith("FileSystemStorage"):
    STORAGES = {
        **STORAGES,
        "notebooks": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": os.environ["PLAYGROUND_BROWSER_FILES_DIR"]},
        },
    }
# Every browser test signs its people up from 127.0.0.1 on this one service: more than
# the production limit of sign-ups per address per hour (tests/accounts checks that limit).
ACCOUNT_RATE_LIMITS = {**ACCOUNT_RATE_LIMITS, "signup": "200/h/ip"}  # noqa: F405
