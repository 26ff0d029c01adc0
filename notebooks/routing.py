"""Websocket routes of the notebooks app (mounted by playground.asgi)."""

from django.urls import path

import notebooks.converters  # noqa: F401  (registers <urlsafe:...>)
from notebooks.consumers import NotebookEventsConsumer

# Channels routes consumers with Django's path(), which django-stubs types for views only.
websocket_urlpatterns = [
    path("ws/notebooks/<urlsafe:public_id>/", NotebookEventsConsumer.as_asgi()),  # type: ignore[arg-type]
]
