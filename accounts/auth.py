"""How API requests say who they are: a personal token (``Authorization: Bearer pg_...``)
or the browser session (with Django's CSRF check on writes).

The token is tried first, so a script's POST never needs a CSRF token; a browser's
session request without one is refused, as Django's forms would be.
``SignedInRequest`` is the request type of the views only signed-in people reach.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from accounts.services import api_token_user


class SignedInRequest(HttpRequest):
    """The request of a ``login_required`` view or a ``SIGNED_IN`` route: its user is signed in.

    Only an annotation: Django still makes plain HttpRequests. It tells the type checker
    what the decorator or the route's auth already made sure of.
    """

    user: User


class ApiTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_user(secret=token)
        if user is not None:
            request.user = user
        return user


class _SignedInSession(SessionAuth):
    """The browser session, CSRF-checked on writes.

    Without a signed-in session there is nothing to protect: such a caller (a script
    whose token was revoked) is told to authenticate (401), not that CSRF failed.
    """

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


class _Anyone:
    """Lets an endpoint answer anonymous visitors too (share links); it sees AnonymousUser."""

    def __call__(self, request: HttpRequest) -> Any:
        if not getattr(request, "user", None):
            request.user = AnonymousUser()
        return request.user if request.user.is_authenticated else _ANONYMOUS


class _AnonymousMarker:
    def __bool__(self) -> bool:
        return True


_ANONYMOUS = _AnonymousMarker()

#: Signed-in people only (token or session).
SIGNED_IN = [ApiTokenAuth(), _SignedInSession(csrf=True)]
#: Also anonymous visitors, for endpoints a share link opens.
ANYONE = [ApiTokenAuth(), _SignedInSession(csrf=True), _Anyone()]
