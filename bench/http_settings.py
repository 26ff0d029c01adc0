"""Settings for bench/http.py's servers: production's, plus the floor page's URLconf.

Everything else (database, Redis, S3, origins) comes from the environment exactly as
in production (``playground.settings.production``); only ``ROOT_URLCONF`` differs,
so that the bench can time a bare page on the same stack (``bench.http_urls``).
"""

from playground.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.http_urls"
