"""Routes of the account settings page (allauth's own pages are under /accounts/)."""

from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.account_settings, name="settings"),
    path("tokens", views.token_create, name="token-create"),
    path("tokens/<str:public_id>/revoke", views.token_revoke, name="token-revoke"),
]
