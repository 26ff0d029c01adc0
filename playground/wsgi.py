"""WSGI entry point for production servers (``gunicorn playground.wsgi``).

Defaults to the production settings, which read their configuration from the
environment; set ``DJANGO_SETTINGS_MODULE`` to use others.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playground.settings.production")

application = get_wsgi_application()
