"""Requests the service cannot take get a clear 4xx before any view sees them.

Two kinds of input used to end in a 500 (which in production also mails the admins):

- **Bodies over ``DATA_UPLOAD_MAX_MEMORY_SIZE``.** Django raises
  ``RequestDataTooBig`` wherever the body is first read: in the CSRF check (a bare
  "Bad Request" page), in a view, inside the API (a 500). Django goes by the
  declared ``Content-Length`` (it reads nothing of a body without one), so they
  are answered here from it with 413, before anything reads them. Forms with more
  than ``DATA_UPLOAD_MAX_NUMBER_FIELDS`` fields get a 400 saying so.
- **Input that is not text.** PostgreSQL refuses NUL in text, and no encoding can
  store a lone UTF-16 surrogate (``\\ud800``). Neither is ever typed by a person.
  A NUL in the path, a query parameter or a form field is refused here with 400,
  naming the field; JSON bodies are checked by the API's parser
  (``playground.api``) with the same ``text_problem``. Form and query values cannot
  hold surrogates: Django decodes them with replacement characters.

Answers are JSON ``{"error", "code"}`` under ``/api/`` and a page elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render

_NOT_TEXT = re.compile(r"[\x00\ud800-\udfff]")


def text_problem(value: str) -> str | None:
    """What makes ``value`` not storable text (a NUL, a lone surrogate), or None."""
    found = _NOT_TEXT.search(value)
    if found is None:
        return None
    if found.group() == "\x00":
        return "a NUL character (\\u0000)"
    return f"a lone UTF-16 surrogate (\\u{ord(found.group()):04x})"


def not_text_message(where: str, problem: str) -> str:
    return f"{where} holds {problem}, which is not text and cannot be stored; send valid Unicode."


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def too_large_message() -> str:
    return (
        f"This request is larger than the {_megabytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)} "
        f"the service accepts; a notebook may be at most "
        f"{_megabytes(settings.NOTEBOOK_MAX_BYTES)}. Move large data out of the code "
        "(load it from a file or URL)."
    )


def _refusal(request: HttpRequest, message: str, code: str, status: int) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"error": message, "code": code}, status=status)
    return render(request, "problem.html", {"message": message}, status=status)


def _not_text_field(request: HttpRequest) -> str | None:
    """The message for the first path part, query parameter or form field that is not text."""
    if problem := text_problem(request.path):
        return not_text_message("The address", problem)
    fields = [("query parameter", request.GET)]
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        fields.append(("form field", request.POST))
    for kind, values in fields:
        for name, items in values.lists():
            for value in (name, *items):
                if problem := text_problem(value):
                    return not_text_message(f"The {kind} {name!r}", problem)
    return None


#: Routes that take file bytes (docs/folders.md): their limit is the upload's, not a form's.
_FILE_ROUTES = re.compile(r"^/api/notebooks/[^/]+/files(/|$)")


def _body_limit(request: HttpRequest) -> tuple[int, str]:
    """The most bytes a request to this path may declare, and the message past it."""
    if request.method in ("POST", "PUT") and _FILE_ROUTES.match(request.path):
        limit = settings.FOLDER_UPLOAD_MAX_BYTES
        return limit, (
            f"This upload is larger than the {_megabytes(limit)} one request may carry (one "
            f"file may hold {_megabytes(settings.FOLDER_FILE_MAX_BYTES)}). Upload fewer "
            "files at a time."
        )
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE, too_large_message()


class RequestChecksMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        limit, too_large = _body_limit(request)
        if declared > limit:
            return _refusal(request, too_large, "too_large", 413)
        try:
            message = _not_text_field(request)
        except RequestDataTooBig:
            return _refusal(request, too_large_message(), "too_large", 413)
        except (TooManyFieldsSent, TooManyFilesSent):
            message = (
                f"This form has more than the {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} fields "
                "the service accepts."
            )
        if message is not None:
            return _refusal(request, message, "bad_request", 400)
        return self.get_response(request)
