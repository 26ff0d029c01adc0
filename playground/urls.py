"""URL routes of the app's site (``APP_ORIGIN``); each app adds its own ``urls.py`` here.

The user-content site has its own, much shorter list: ``playground.usercontent_urls``.
"""

from django.contrib import admin
from django.urls import include, path

from playground import views
from playground.api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("play", views.play_redirect, name="play"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("account/", include("accounts.urls")),
    path("api/", api.urls),
    path("", include("notebooks.urls")),
    path("", include("sharing.urls")),
]
