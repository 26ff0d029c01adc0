"""The JSON API at /api/ (django-ninja): one NinjaAPI, a router per app.

The OpenAPI schema is served at /api/openapi.json and browsable at /api/docs.
Errors are JSON ``{"error": "...", "code": "..."}`` with the status the service
error carries (see ``notebooks.errors``); a notebook the caller may not see is a
404, exactly like one that does not exist.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from notebooks.api import router as notebooks_router
from notebooks.errors import NotebookError
from sharing.access import ActionDenied, NotebookNotFound
from sharing.api import router as sharing_router

api = NinjaAPI(
    title="Playground API",
    version="1",
    description=(
        "Notebooks, their revisions and share links. Authenticate with a personal API "
        "token (`Authorization: Bearer pg_...`, made on the account page) or, from the "
        "browser, with the session cookie and an `X-CSRFToken` header on writes."
    ),
    urls_namespace="api",
)
api.add_router("/notebooks", notebooks_router)
api.add_router("/", sharing_router)


@api.exception_handler(NotebookError)
def _notebook_error(request: HttpRequest, error: NotebookError) -> HttpResponse:
    return api.create_response(
        request, {"error": error.message, "code": error.code, **error.detail}, status=error.status
    )


@api.exception_handler(NotebookNotFound)
def _not_found(request: HttpRequest, error: NotebookNotFound) -> HttpResponse:
    return api.create_response(request, {"error": error.message, "code": "not_found"}, status=404)


@api.exception_handler(ActionDenied)
def _denied(request: HttpRequest, error: ActionDenied) -> HttpResponse:
    return api.create_response(request, {"error": error.message, "code": "forbidden"}, status=403)


@api.exception_handler(ValidationError)
def _invalid_request(request: HttpRequest, error: ValidationError) -> HttpResponse:
    problems = "; ".join(
        f"{'.'.join(str(part) for part in problem.get('loc', ())[1:] if part != 'body')}: "
        f"{problem.get('msg', 'invalid')}"
        for problem in error.errors
    )
    return api.create_response(
        request,
        {
            "error": f"The request does not match the API ({problems}); see /api/docs.",
            "code": "invalid_request",
            "fields": error.errors,
        },
        status=422,
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    # django-ninja's own refusals: a body that is not JSON (400), a failed CSRF check (403).
    if error.status_code == 403 and "CSRF" in error.message:
        message, code = (
            "The CSRF check failed: from the browser send the `X-CSRFToken` header; "
            "scripts should use a personal API token instead of the session.",
            "csrf_failed",
        )
    else:
        message, code = error.message, "bad_request"
    return api.create_response(
        request, {"error": message, "code": code}, status=error.status_code
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {
            "error": "Sign in, or send a personal API token as `Authorization: Bearer pg_...`.",
            "code": "unauthenticated",
        },
        status=401,
    )
