"""Websocket routes of server kernels (mounted by playground.asgi)."""

from django.urls import path

import notebooks.converters  # noqa: F401  (registers <urlsafe:...>)
from serverkernels.consumers import KernelConsumer

websocket_urlpatterns = [
    # Channels routes consumers with Django's path(), whose stubs know only views.
    path("ws/kernels/<urlsafe:session_id>/", KernelConsumer.as_asgi()),  # type: ignore[arg-type]
]
