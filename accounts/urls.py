"""Routes of the account settings page (allauth's own pages are under /accounts/)."""

from django.urls import path

import notebooks.converters  # noqa: F401  (registers <urlsafe:...>)
from accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.account_settings, name="settings"),
    path("name", views.name_set, name="name"),
    path("tokens", views.token_create, name="token-create"),
    path("tokens/<urlsafe:public_id>/revoke", views.token_revoke, name="token-revoke"),
]
