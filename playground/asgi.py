"""ASGI entry point (``daphne playground.asgi:application``).

Only HTTP for now; websocket routing (Channels) is added here when the live
kernel connection arrives. Defaults to the production settings, like ``wsgi.py``.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playground.settings.production")

application = get_asgi_application()
