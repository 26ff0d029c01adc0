"""Settings of the service that browser tests and bench/startup.py start (see service.py).

The test settings (WhiteNoise serving ``FRONTEND_DIST_DIR`` through the finders),
plus a SQLite database of the run (``PLAYGROUND_BROWSER_DB``) and the bare-Pyodide
page of ``server_urls`` next to the site's own URLs. Everything else comes from
the environment variables the settings read (``WHEELS_UPSTREAM_INDEX``, ...).
"""

import os

from playground.settings.test import *  # noqa: F403

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ["PLAYGROUND_BROWSER_DB"],
    }
}
ROOT_URLCONF = "tests.browser.server_urls"
