"""Routes of the sharing pages: ``/s/<token>`` and a notebook's share settings."""

from django.urls import path

import notebooks.converters  # noqa: F401  (registers <urlsafe:...>)
from sharing import views

app_name = "sharing"
urlpatterns = [
    path("s/<urlsafe:token>", views.shared, name="shared"),
    path("s/<urlsafe:token>/fork", views.shared_fork, name="fork"),
    path("s/<urlsafe:token>/download", views.shared_download, name="download"),
    path("s/<urlsafe:token>/join", views.shared_join, name="join"),
    path("notebooks/<urlsafe:public_id>/share", views.share_settings, name="settings"),
    path("notebooks/<urlsafe:public_id>/share/links", views.link_create, name="link-create"),
    path(
        "notebooks/<urlsafe:public_id>/share/links/<urlsafe:link_id>/revoke",
        views.link_revoke,
        name="link-revoke",
    ),
    path("notebooks/<urlsafe:public_id>/share/visibility", views.visibility_set, name="visibility"),
    path(
        "notebooks/<urlsafe:public_id>/share/collaborators/<int:user_id>/remove",
        views.collaborator_remove,
        name="collaborator-remove",
    ),
]
