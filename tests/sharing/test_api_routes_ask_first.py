"""Every API route asks ``sharing.access`` before it does anything, whatever its body holds.

The routes are read off the API itself (its OpenAPI schema and its operations), so
a route added tomorrow is tried here too. Each one is called by people who may not
do what it does, with every shape of body a client can send: none, empty, ``null``,
a list, a string, broken JSON, and each field of its schema alone (with a valid
value, and with ``null``). The answer must be the same refusal as for a valid body
(404 for a notebook they may not see, 403 for one they may only read, 410 for a dead
link), nothing of the notebook may be in it, and nothing may change.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone

from notebooks.models import Notebook
from playground.api import api
from sharing.access import Action
from sharing.models import Collaborator, Role, ShareLink
from tests.factories import (
    client_for,
    code,
    collaborator_make,
    link_make,
    notebook_make,
    notebook_text,
    user_make,
)

pytestmark = pytest.mark.django_db

SECRET_TITLE = "Quarterly numbers (private)"
MARKER = "secret_marker = 'only readers see this'"
OWNER_EMAIL = "owner-of-secrets@example.com"


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    schema = api.get_openapi_schema()
    return [
        (method.upper(), path, operation)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    ]


OPERATIONS = _operations()
NOTEBOOK_ROUTES = [op for op in OPERATIONS if "{public_id}" in op[1]]
LINK_ROUTES = [op for op in OPERATIONS if "{token}" in op[1]]


def _sample(schema: dict[str, Any], components: dict[str, Any]) -> Any:
    """A valid value of a JSON schema (the simple shapes the API uses)."""
    if "$ref" in schema:
        return _sample(components[schema["$ref"].rsplit("/", 1)[1]], components)
    for choice in schema.get("anyOf", []):
        if choice.get("type") != "null":
            return _sample(choice, components)
    kind = schema.get("type")
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "boolean":
        return True
    if kind == "object":
        return {
            name: _sample(prop, components) for name, prop in schema.get("properties", {}).items()
        }
    return notebook_text(code("x = 'changed'", "a"))  # any string field takes a notebook's text


def _bodies(operation: dict[str, Any]) -> list[tuple[str, str | None]]:
    """(label, raw body) pairs: every shape of body, and each field of the schema alone."""
    bodies: list[tuple[str, str | None]] = [
        ("no body", None),
        ("empty", ""),
        ("null", "null"),
        ("{}", "{}"),
        ("[]", "[]"),
        ("a string", '"x"'),
        ("a number", "1"),
        ("broken JSON", '{"title":'),
    ]
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if content:
        components = api.get_openapi_schema()["components"]["schemas"]
        full = _sample(content["schema"], components)
        for name, value in full.items():
            bodies.append((f"only {name}", json.dumps({name: value})))
            bodies.append((f"{name}: null", json.dumps({name: None})))
        bodies.append(("every field", json.dumps(full)))
    return bodies


@dataclass(frozen=True)
class State:
    title: str
    visibility: str
    revisions: int
    trashed: bool
    links: int
    revoked: int
    collaborators: int
    notebooks: int


def _state(notebook: Notebook) -> State:
    notebook = Notebook.objects.get(pk=notebook.pk)
    links = ShareLink.objects.filter(notebook=notebook)
    return State(
        title=notebook.title,
        visibility=notebook.visibility,
        revisions=notebook.revisions.count(),
        trashed=notebook.is_trashed,
        links=links.count(),
        revoked=links.filter(revoked_at__isnull=False).count(),
        collaborators=Collaborator.objects.current().filter(notebook=notebook).count(),
        notebooks=Notebook.objects.count(),
    )


@dataclass
class Target:
    notebook: Notebook
    link: ShareLink
    collaborator_id: int


def _target(*, visibility: str = "private", trashed: bool = False) -> Target:
    owner = user_make(OWNER_EMAIL)
    notebook = notebook_make(owner, title=SECRET_TITLE, cells=[code(MARKER, "m")], visibility=visibility)
    collaborator = user_make()
    collaborator_make(notebook, collaborator)
    link = link_make(notebook, role=Role.VIEW)
    if trashed:
        Notebook.objects.filter(pk=notebook.pk).update(trashed_at=timezone.now())
        notebook.refresh_from_db()
    return Target(notebook=notebook, link=link, collaborator_id=collaborator.pk)


def _url(path: str, target: Target, token: str = "") -> str:
    return (
        path.replace("{public_id}", target.notebook.public_id)
        .replace("{number}", "1")
        .replace("{link_id}", target.link.public_id)
        .replace("{user_id}", str(target.collaborator_id))
        .replace("{token}", token or target.link.token)
        .replace("{file_path}", "data/file.csv")
    )


def _call(client: Client, method: str, url: str, body: str | None) -> HttpResponse:
    if body is None:
        return client.generic(method, url)
    return client.generic(method, url, body, content_type="application/json")


def _leaks(response: HttpResponse) -> list[str]:
    text = response.content.decode()
    return [secret for secret in (SECRET_TITLE, MARKER, OWNER_EMAIL) if secret in text]


def _refusals(
    client: Client, target: Target, routes: list[tuple[str, str, dict[str, Any]]], token: str = ""
) -> list[tuple[str, str, str, int, str, list[str]]]:
    """Call every route with every body; return (method, path, body, status, code, leaks)."""
    answers = []
    for method, path, operation in routes:
        for label, body in _bodies(operation):
            response = _call(client, method, _url(path, target, token), body)
            code = response.json().get("code", "") if response.content else ""
            answers.append((method, path, label, response.status_code, code, _leaks(response)))
    return answers


@pytest.mark.parametrize("trashed", [False, True], ids=["private", "in the trash"])
def test_a_stranger_gets_not_found_from_every_notebook_route_whatever_the_body(
    trashed: bool,
) -> None:
    target = _target(trashed=trashed)
    before = _state(target.notebook)

    answers = _refusals(client_for(user_make()), target, NOTEBOOK_ROUTES)

    wrong = [answer for answer in answers if answer[3:] != (404, "not_found", [])]
    assert not wrong, wrong
    assert _state(target.notebook) == before


def test_a_reader_is_refused_every_route_beyond_reading_whatever_the_body() -> None:
    """Anyone may read an unlisted notebook; nobody but its editors may change it."""
    target = _target(visibility="unlisted")
    before = _state(target.notebook)
    beyond_reading = [
        op for op in NOTEBOOK_ROUTES
        if _declared_action(op) not in (Action.READ, Action.FORK)
    ]

    answers = _refusals(client_for(user_make()), target, beyond_reading)

    wrong = [answer for answer in answers if answer[3:5] != (403, "forbidden")]
    assert not wrong, wrong
    assert _state(target.notebook) == before
    assert {op[1] for op in beyond_reading} >= {
        "/api/notebooks/{public_id}", "/api/notebooks/{public_id}/revisions",
    }


@pytest.mark.parametrize(
    ("link", "status", "code"),
    [("unknown", 404, "not_found"), ("revoked", 410, "link_inactive")],
)
def test_a_dead_link_answers_the_same_from_every_link_route_whatever_the_body(
    link: str, status: int, code: str
) -> None:
    target = _target()
    if link == "revoked":
        ShareLink.objects.filter(pk=target.link.pk).update(revoked_at=timezone.now())
    token = "A" * 32 if link == "unknown" else target.link.token
    before = _state(target.notebook)

    answers = _refusals(client_for(user_make()), target, LINK_ROUTES, token=token)

    wrong = [answer for answer in answers if answer[3:] != (status, code, [])]
    assert not wrong, wrong
    assert _state(target.notebook) == before


def test_a_view_link_lets_nobody_fork_or_join_whatever_the_body() -> None:
    target = _target()
    before = _state(target.notebook)
    writes = [op for op in LINK_ROUTES if op[0] == "POST"]

    answers = _refusals(client_for(user_make()), target, writes)

    wrong = [answer for answer in answers if answer[3:5] != (403, "forbidden")]
    assert not wrong, wrong
    assert _state(target.notebook) == before


def _declared_action(operation: tuple[str, str, dict[str, Any]]) -> Action:
    method, path, _ = operation
    return _route_access()[(method, path)].action


def _route_access() -> dict[tuple[str, str], Any]:
    """(method, schema path) -> the access the route declared (sharing.api_access)."""
    declared = {}
    for prefix, router in api._routers:
        for route, path_view in router.path_operations.items():
            for operation in path_view.operations:
                path = f"/api/{prefix.strip('/')}/{route.lstrip('/')}".replace("//", "/")
                path = path.rstrip("/") if route == "" else path
                path = re.sub(r"\{\w+:(\w+)\}", r"{\1}", path)  # {urlsafe:id} -> {id}
                for method in operation.methods:
                    declared[(method, path)] = getattr(operation.view_func, "route_access", None)
    return declared


def test_every_route_that_names_a_notebook_or_link_declares_its_access() -> None:
    declared = _route_access()
    named = {(method, path) for method, path, _ in NOTEBOOK_ROUTES + LINK_ROUTES}

    assert named and named <= set(declared), named - set(declared)
    undeclared = sorted(key for key in named if declared[key] is None)
    assert not undeclared, f"routes without notebook_route/link_route: {undeclared}"
