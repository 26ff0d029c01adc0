"""URL routes of the user-content site (``USERCONTENT_ORIGIN``): the playground and nothing else.

See ``web.usercontent``. Static files are answered by WhiteNoise before routing.
"""

from django.urls import include, path

from folders.views import file_bytes
from pages import views

urlpatterns = [
    path("", views.usercontent_home, name="usercontent-home"),
    path("healthz", views.healthz),
    path("play", views.play, name="play"),
    path("play/output-frame", views.output_frame, name="output-frame"),
    path("play/carry-files", views.carry_files, name="carry-files"),
    path("embed/<str:token>", views.embed, name="embed"),
    path("wheels/", include("packages.urls")),
    path("files/<str:token>/<str:name>", file_bytes, name="folder-file"),
]

# Error pages without the app's navigation (whose links live on the other site).
handler404 = "pages.views.usercontent_not_found"
