"""URL routes of the app's site (``APP_ORIGIN``); each app adds its own ``urls.py`` here.

The user-content site has its own, much shorter list: ``playground.usercontent_urls``.
"""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path, re_path

from pages import views
from playground.api import api, api_route_not_found

# The admin has no log-in form of its own: it sends people to allauth's, so staff log
# in under the same rate limits (and e-mail verification) as everyone else. Replacing
# the method is the point, hence the ignore.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("play", views.play_redirect, name="play"),
    path("help/", views.help_page, name="help"),
    path("help/<slug:slug>/", views.help_page, name="help-page"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("account/", include("accounts.urls")),
    path("api/", api.urls),
    re_path(r"^api/(?P<path>[\s\S]*)$", api_route_not_found),
    path("", include("notebooks.urls")),
    path("", include("sharing.urls")),
    path("", include("serverkernels.urls")),
    path("", include("classroom.urls")),
]
