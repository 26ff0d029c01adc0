"""Routes of the sharing pages: ``/s/<token>`` and a notebook's share settings."""

from django.urls import path

from sharing import views

app_name = "sharing"
urlpatterns = [
    path("s/<str:token>", views.shared, name="shared"),
    path("s/<str:token>/fork", views.shared_fork, name="fork"),
    path("s/<str:token>/download", views.shared_download, name="download"),
    path("s/<str:token>/join", views.shared_join, name="join"),
    path("notebooks/<str:public_id>/share", views.share_settings, name="settings"),
    path("notebooks/<str:public_id>/share/links", views.link_create, name="link-create"),
    path(
        "notebooks/<str:public_id>/share/links/<str:link_id>/revoke",
        views.link_revoke,
        name="link-revoke",
    ),
    path("notebooks/<str:public_id>/share/visibility", views.visibility_set, name="visibility"),
    path(
        "notebooks/<str:public_id>/share/collaborators/<int:user_id>/remove",
        views.collaborator_remove,
        name="collaborator-remove",
    ),
]
