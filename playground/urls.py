"""Top-level URL routes; each app adds its own ``urls.py`` here."""

from django.urls import include, path

from playground import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("play", views.play, name="play"),
    path("play/output-frame", views.output_frame, name="output-frame"),
    path("wheels/", include("packages.urls")),
]
