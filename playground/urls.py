"""Top-level URL routes; each app will add its own ``urls.py`` here."""

from django.urls import path

from playground import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
]
