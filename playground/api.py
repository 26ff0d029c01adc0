"""The JSON API at /api/ (django-ninja): one NinjaAPI, a router per app.

The OpenAPI schema is served at /api/openapi.json and browsable at /api/docs.
Errors are JSON ``{"error": "...", "code": "..."}`` with the status the service
error carries (see ``notebooks.errors``); a notebook the caller may not see is a
404, exactly like one that does not exist. Every operation documents them
(``notebooks.api.errors``), so a schema fuzzer can hold the API to its schema.

Bodies are JSON text: one whose strings hold a NUL or a lone UTF-16 surrogate
(``"\\ud800"`` in JSON) is refused with 400 here, before any route sees it, and
one over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` with 413 (``web.request_checks``).
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from classroom.access import CourseActionDenied, CourseNotFound
from classroom.api import router as classroom_router
from folders.api import router as folders_router
from folders.api import shared_router as folders_shared_router
from notebooks.api import router as notebooks_router
from notebooks.errors import NotebookError
from serverkernels.api import router as kernels_router
from sharing.access import ActionDenied, NotebookNotFound
from sharing.api import router as sharing_router
from sharing.api_access import access_check_before_validation_error
from web.request_checks import not_text_message, text_problem


class NotText(ValueError):
    """The JSON is well formed but a string in it is not text (a NUL, a lone surrogate)."""


def _strings_check(value: Any) -> None:
    if isinstance(value, str):
        if problem := text_problem(value):
            raise NotText(not_text_message("The request", problem))
    elif isinstance(value, dict):
        for key, item in value.items():
            _strings_check(key)
            _strings_check(item)
    elif isinstance(value, list):
        for item in value:
            _strings_check(item)


class TextJsonParser(Parser):
    """JSON bodies whose strings are all text."""

    def parse_body(self, request: HttpRequest) -> Any:
        data = json.loads(request.body)
        _strings_check(data)
        return data


api = NinjaAPI(
    title="Playground API",
    version="1",
    description=(
        "Notebooks, their revisions and share links. Authenticate with a personal API "
        "token (`Authorization: Bearer pg_...`, made on the account page) or, from the "
        "browser, with the session cookie and an `X-CSRFToken` header on writes."
    ),
    urls_namespace="api",
    parser=TextJsonParser(),
)
api.add_router("/notebooks", notebooks_router)
api.add_router("/notebooks", folders_router)
api.add_router("/", folders_shared_router)
api.add_router("/", sharing_router)
api.add_router("/", kernels_router)
api.add_router("/courses", classroom_router)


@api.exception_handler(NotebookError)
def _notebook_error(request: HttpRequest, error: NotebookError) -> HttpResponse:
    return api.create_response(
        request, {"error": error.message, "code": error.code, **error.detail}, status=error.status
    )


@api.exception_handler(NotebookNotFound)
def _not_found(request: HttpRequest, error: NotebookNotFound) -> HttpResponse:
    return api.create_response(request, {"error": error.message, "code": "not_found"}, status=404)


@api.exception_handler(CourseNotFound)
def _course_not_found(request: HttpRequest, error: CourseNotFound) -> HttpResponse:
    return api.create_response(request, {"error": error.message, "code": "not_found"}, status=404)


@api.exception_handler(CourseActionDenied)
def _course_denied(request: HttpRequest, error: CourseActionDenied) -> HttpResponse:
    return api.create_response(request, {"error": error.message, "code": "forbidden"}, status=403)


@api.exception_handler(ActionDenied)
def _denied(request: HttpRequest, error: ActionDenied) -> HttpResponse:
    return api.create_response(request, {"error": error.message, "code": "forbidden"}, status=403)


def _route_refusal(request: HttpRequest) -> HttpResponse | None:
    """The route's own refusal, if the caller may not do what it does: whoever may not
    hears that, not what was wrong with the body they sent."""
    try:
        access_check_before_validation_error(request)
    except (NotebookError, NotebookNotFound, ActionDenied) as refusal:
        return api.on_exception(request, refusal)
    return None


@api.exception_handler(ValidationError)
def _invalid_request(request: HttpRequest, error: ValidationError) -> HttpResponse:
    if (refused := _route_refusal(request)) is not None:
        return refused
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
    if error.status_code == 400 and (refused := _route_refusal(request)) is not None:
        return refused
    if error.status_code == 403 and "CSRF" in error.message:
        message, code = (
            "The CSRF check failed: from the browser send the `X-CSRFToken` header; "
            "scripts should use a personal API token instead of the session.",
            "csrf_failed",
        )
    elif isinstance(error.__cause__, NotText):
        message, code = str(error.__cause__), "bad_request"
    elif isinstance(error.__cause__, ValueError):  # json.JSONDecodeError, UnicodeDecodeError
        message, code = (
            f"The request body is not JSON text ({error.__cause__}); see /api/docs.",
            "bad_request",
        )
    else:
        message, code = error.message, "bad_request"
    return api.create_response(request, {"error": message, "code": code}, status=error.status_code)


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


@csrf_exempt  # it changes nothing, and scripts authenticate with tokens, not cookies
def api_route_not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Any other address under /api/: the API's own 404, in its JSON shape."""
    return JsonResponse(
        {
            "error": "There is no such API route (or the notebook or link in it does not "
            "exist); see /api/docs.",
            "code": "not_found",
        },
        status=404,
    )
