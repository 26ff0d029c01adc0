"""Websocket routes of the notebooks app (mounted by playground.asgi)."""

from django.urls import path

from notebooks.consumers import NotebookEventsConsumer

websocket_urlpatterns = [
    path("ws/notebooks/<str:public_id>/", NotebookEventsConsumer.as_asgi()),
]
