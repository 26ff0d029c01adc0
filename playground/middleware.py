"""Adds the default security headers (playground.security_headers) to every view's response.

Static files get theirs from WhiteNoise, which answers before this middleware runs.
Headers a view has set itself are kept: that is how the embeddable playground and
the output frame choose their own policy.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

from playground.security_headers import CROSS_ORIGIN_ISOLATION, app_content_security_policy


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        for name, value in CROSS_ORIGIN_ISOLATION.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("Content-Security-Policy", app_content_security_policy())
        return response
