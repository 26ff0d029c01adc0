"""Settings of the Celery workers that host server kernels (queue ``kernels``).

A kernel worker needs Redis and nothing else of the service: it never queries the
database or storage, so it is given no credentials for them (``DATABASES`` is
empty: a query would fail loudly) and its ``SECRET_KEY`` is random per process
(it signs nothing). Whatever it holds, the kernels it starts see only the
allow-listed environment of serverkernels.sandbox.

Required: ``REDIS_URL`` (or ``KERNELS_REDIS_URL``; the broker is ``CELERY_BROKER_URL``,
by default the same). Optional: the ``KERNEL_*`` limits and ``KERNEL_PYTHON`` (see
``base`` and deploy/README.md, "Server kernels").
"""

import os
import secrets

from .base import *  # noqa: F403
from .environment import env_required, redis_settings

SECRET_KEY = secrets.token_urlsafe(50)
DEBUG = False
DATABASES = {}
REDIS_URL = os.environ.get("KERNELS_REDIS_URL", "").strip() or env_required("REDIS_URL")
CACHES, CHANNEL_LAYERS = redis_settings(REDIS_URL)
KERNELS_REDIS_URL = REDIS_URL
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "").strip() or REDIS_URL
