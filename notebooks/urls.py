"""Routes of the notebook pages (mounted at the site root)."""

from django.urls import path

import notebooks.converters  # noqa: F401  (registers <urlsafe:...>)
from notebooks import views

app_name = "notebooks"
urlpatterns = [
    path("notebooks/", views.dashboard, name="dashboard"),
    path("notebooks/new", views.notebook_new, name="new"),
    path("notebooks/import", views.notebook_import, name="import"),
    path("notebooks/save-from-playground", views.save_from_play, name="save-from-play"),
    path("notebooks/trash", views.trash, name="trash"),
    path("explore", views.explore, name="explore"),
    path("notebooks/<urlsafe:public_id>/", views.editor, name="editor"),
    path("notebooks/<urlsafe:public_id>/rename", views.rename, name="rename"),
    path("notebooks/<urlsafe:public_id>/delete", views.delete, name="delete"),
    path("notebooks/<urlsafe:public_id>/restore", views.restore, name="restore"),
    path("notebooks/<urlsafe:public_id>/purge", views.purge, name="purge"),
    path("notebooks/<urlsafe:public_id>/fork", views.fork, name="fork"),
    path("notebooks/<urlsafe:public_id>/download", views.download, name="download"),
    path("notebooks/<urlsafe:public_id>/history", views.history, name="history"),
    path(
        "notebooks/<urlsafe:public_id>/history/<int:number>/restore",
        views.revision_restore,
        name="revision-restore",
    ),
    path("n/<urlsafe:public_id>", views.viewer, name="view"),
]
