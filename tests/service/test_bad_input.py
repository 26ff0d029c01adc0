"""Bad input gets a clear 4xx with a message, never a 500 (which also mails the admins).

The classes: text that is not text (a NUL byte, which PostgreSQL refuses; a lone
UTF-16 surrogate, which no encoding can store) anywhere a request carries text,
in the address, the query, a form or a JSON body; and bodies over the size limit.
Every route of the app's URL list is tried, including allauth's, so a route added
later is covered too.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from notebooks.models import Notebook
from tests.factories import client_for, code, notebook_make, notebook_text, user_make

pytestmark = pytest.mark.django_db

NUL = "%00"


def _routes(patterns: list, prefix: str = "") -> Iterator[str]:
    """Every route of the URL list with its parameters, as Django writes them."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route


def _with_nul_parameters() -> list[str]:
    """Each route that takes a text parameter, with a NUL byte in every such parameter."""
    paths = set()
    for route in _routes(get_resolver().url_patterns):
        if "<" not in route or route.startswith("^"):
            continue
        if not re.search(r"<(?:(?:str|slug|urlsafe|path):)?\w+>", route):
            continue  # integer parameters only
        path = re.sub(r"<int:\w+>", "1", route)
        path = re.sub(r"<(?:\w+:)?\w+>", NUL, path)
        paths.add("/" + path.replace("\\", ""))
    return sorted(paths)


PATHS_WITH_NUL = _with_nul_parameters()


def _client(user: object = None) -> Client:
    client = client_for(user)
    client.raise_request_exception = False
    return client


def test_the_route_list_was_read() -> None:
    assert {"/s/%00", "/n/%00", "/api/notebooks/%00", "/api/shared/%00"} <= set(PATHS_WITH_NUL)
    assert any(path.startswith("/accounts/") for path in PATHS_WITH_NUL)  # allauth's own


@pytest.mark.parametrize("path", PATHS_WITH_NUL)
def test_a_nul_in_any_address_is_a_clear_4xx(path: str) -> None:
    notebook_make(user_make())
    signed_in, anonymous = _client(user_make()), _client(None)

    for client in (signed_in, anonymous):
        for method in ("get", "post", "delete"):
            response = getattr(client, method)(path)
            assert 400 <= response.status_code < 500, (method, path, response.status_code)
            if path.startswith("/api/"):
                assert response.json()["error"]


@pytest.mark.parametrize(
    ("path", "query"),
    [("/notebooks/", "q=%00"), ("/explore", "q=a%00"), ("/api/notebooks", "q=%00")],
)
def test_a_nul_in_the_query_is_refused_saying_which_parameter(path: str, query: str) -> None:
    response = _client(user_make()).get(f"{path}?{query}")

    assert response.status_code == 400
    text = html.unescape(response.content.decode())
    assert "The query parameter 'q' holds a NUL character" in text


@pytest.mark.parametrize(
    "form",
    [{"title": "a\x00b"}, {"title": "ok", "next": "\x00"}],
)
def test_a_nul_in_a_form_is_refused_and_changes_nothing(form: dict[str, str]) -> None:
    owner = user_make()
    notebook = notebook_make(owner, title="Before")

    response = _client(owner).post(f"/notebooks/{notebook.public_id}/rename", form)

    assert response.status_code == 400
    assert "holds a NUL character" in html.unescape(response.content.decode())
    notebook.refresh_from_db()
    assert notebook.title == "Before"


def _api_cases(public_id: str) -> list[tuple[str, str, dict[str, object]]]:
    text = notebook_text(code("x = 1", "a"))
    return [
        ("post", "/api/notebooks", {"title": "{bad}", "content": text}),
        ("post", "/api/notebooks", {"title": "ok", "content": text.replace("x = 1", "x = '{bad}'")}),
        ("post", "/api/notebooks/import", {"text": "# %%\nx = '{bad}'\n"}),
        ("post", "/api/notebooks/import", {"text": "# %%\nx = 1\n", "filename": "{bad}.py"}),
        ("patch", f"/api/notebooks/{public_id}", {"title": "{bad}"}),
        ("post", f"/api/notebooks/{public_id}/revisions", {"content": text + "# {bad}\n", "base_revision": 1}),
        ("post", f"/api/notebooks/{public_id}/links", {"role": "{bad}"}),
        ("post", "/api/notebooks", {"{bad}": 1}),
    ]


@pytest.mark.parametrize(
    ("bad", "named"),
    [("\\u0000", "a NUL character"), ("\\ud800", "a lone UTF-16 surrogate (\\ud800)"),
     ("\\udfff", "a lone UTF-16 surrogate (\\udfff)")],
)
def test_json_that_is_not_text_is_refused_with_400_saying_why(bad: str, named: str) -> None:
    owner = user_make()
    notebook = notebook_make(owner, title="Before")
    client = _client(owner)

    for method, path, body in _api_cases(notebook.public_id):
        raw = json.dumps(body).replace("{bad}", bad)
        response = client.generic(method.upper(), path, raw, content_type="application/json")

        assert response.status_code == 400, (method, path, response.content)
        assert response.json()["code"] == "bad_request"
        assert named in response.json()["error"]
    notebook.refresh_from_db()
    assert (notebook.title, notebook.revisions.count()) == ("Before", 1)
    assert Notebook.objects.count() == 1


def test_an_api_body_over_the_limit_is_413_with_a_message() -> None:
    owner = user_make()
    notebook = notebook_make(owner)
    body = json.dumps(
        {"content": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1), "base_revision": 1}
    )

    response = _client(owner).post(
        f"/api/notebooks/{notebook.public_id}/revisions", body, content_type="application/json"
    )

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert "larger than the" in response.json()["error"]
    assert notebook.revisions.count() == 1


def test_a_form_over_the_limit_is_413_with_a_page_saying_so() -> None:
    owner = user_make()

    response = _client(owner).post(
        "/notebooks/import", {"text": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    )

    assert response.status_code == 413
    assert "larger than the" in html.unescape(response.content.decode())
    assert not Notebook.objects.exists()



def test_a_form_with_too_many_fields_is_refused_saying_so() -> None:
    fields = {f"f{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}

    response = _client(user_make()).post("/notebooks/new", fields)

    assert response.status_code == 400
    assert "more than the 1000 fields" in html.unescape(response.content.decode())
    assert not Notebook.objects.exists()
