"""Site-wide middleware: default security headers, and a clear 503 when the database is down.

``SecurityHeadersMiddleware`` adds the default security headers
(web.security_headers) to every view's response.

Static files get theirs from WhiteNoise, which answers before this middleware runs.
Headers a view has set itself are kept: that is how the embeddable playground and
the output frame choose their own policy.
"""

import logging
from collections.abc import Callable

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render

from web.security_headers import CROSS_ORIGIN_ISOLATION, app_content_security_policy

logger = logging.getLogger(__name__)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        for name, value in CROSS_ORIGIN_ISOLATION.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("Content-Security-Policy", app_content_security_policy())
        return response


class DatabaseUnavailableMiddleware:
    """Answers 503 with a plain explanation when the database cannot be reached.

    A view that hits ``OperationalError`` (the database restarting, a dropped
    connection) changed nothing: its transaction never committed. Django opens a
    new connection on the next request (``CONN_HEALTH_CHECKS``), so "try again"
    is the right advice.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError):
            return None
        logger.error(
            "database unavailable during %s %s: %s", request.method, request.path, exception
        )
        message = (
            "The service cannot reach its database just now; nothing was changed. "
            "Try again in a moment."
        )
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse(
                {"error": message, "code": "database_unavailable"}, status=503
            )
        else:
            response = render(request, "problem.html", {"message": message}, status=503)
        response["Retry-After"] = "5"
        return response
