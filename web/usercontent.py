"""The user-content site: where notebook code and output run, apart from the app.

Notebook code is untrusted (anyone can send a link), so it runs on a second site,
``USERCONTENT_ORIGIN``, that shares nothing with the app at ``APP_ORIGIN``: no
cookies, no session, no API, no account pages (docs/security.md). The same
processes serve both; this middleware tells them apart by host name and gives
user-content requests their own URLconf (``USERCONTENT_URLCONF``: the playground,
its output frame, static files and the wheel proxy). Cookies are dropped both ways,
so even a browser that sent some could not make the app act for its user here.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase


def usercontent_hostname() -> str:
    return urlsplit(settings.USERCONTENT_ORIGIN).hostname or ""


def is_usercontent_request(request: HttpRequest) -> bool:
    """Whether the request is for the user-content site (by host name; ports do not matter)."""
    host = request.META.get("HTTP_HOST", "")
    hostname = urlsplit(f"//{host}").hostname or ""
    return hostname == usercontent_hostname()


class UserContentMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not is_usercontent_request(request):
            return self.get_response(request)
        request.urlconf = settings.USERCONTENT_URLCONF
        request.COOKIES = {}
        request.META.pop("HTTP_COOKIE", None)
        response = self.get_response(request)
        response.cookies.clear()
        return response
