"""ASGI entry point (``daphne playground.asgi:application``): HTTP and websockets.

Production serves plain HTTP from WSGI workers (gunicorn, see deploy/ and
bench/http.py) and websockets (``/ws/``) from daphne; this application can do both,
which is what ``manage.py runserver`` (daphne's) uses in development. Websockets
are accepted only from pages of the app's own origin (``APP_ORIGIN``): never from
the user-content site, where notebook code runs. Defaults to the production
settings, like ``wsgi.py``.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playground.settings.production")

# Django first: the consumers below import models.
django_application = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import OriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from notebooks.routing import websocket_urlpatterns as notebook_routes  # noqa: E402
from serverkernels.routing import websocket_urlpatterns as kernel_routes  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": OriginValidator(
            # Routes made with path() (see notebooks.routing): channels' stubs want their own.
            AuthMiddlewareStack(URLRouter([*notebook_routes, *kernel_routes])),  # type: ignore[list-item]
            # The origin exactly: a bare host name would admit any scheme and port.
            [settings.APP_ORIGIN],
        ),
    }
)
