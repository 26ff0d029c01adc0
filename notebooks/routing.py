"""Websocket routes of the notebooks app (mounted by playground.asgi)."""

from django.urls import path

import notebooks.converters  # noqa: F401  (registers <urlsafe:...>)
from notebooks.consumers import NotebookEventsConsumer

websocket_urlpatterns = [
    path("ws/notebooks/<urlsafe:public_id>/", NotebookEventsConsumer.as_asgi()),
]
