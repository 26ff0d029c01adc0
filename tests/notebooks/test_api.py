"""The JSON API: its published schema, its answers, and the shape of every error.

Errors are ``{"error": <a sentence for people>, "code": <a word for programs>}``
(plus details where they help), whatever refused the request: a service, the
access rules, authentication, CSRF or request validation.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from pytest_django import Settings

from notebooks.models import Revision
from tests.django_fixtures import Bucket
from tests.factories import (
    client_for,
    code,
    collaborator_make,
    markdown,
    notebook_make,
    notebook_text,
    user_make,
)

pytestmark = pytest.mark.django_db


def _post(client: Client, path: str, body: object) -> object:
    return client.post(path, json.dumps(body), content_type="application/json")


def test_the_openapi_schema_lists_the_endpoints(client: Client) -> None:
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Playground API"
    operations = {
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
    }
    assert operations >= {
        ("GET", "/api/notebooks"),
        ("POST", "/api/notebooks"),
        ("POST", "/api/notebooks/import"),
        ("GET", "/api/notebooks/{public_id}"),
        ("PATCH", "/api/notebooks/{public_id}"),
        ("DELETE", "/api/notebooks/{public_id}"),
        ("POST", "/api/notebooks/{public_id}/restore"),
        ("POST", "/api/notebooks/{public_id}/fork"),
        ("GET", "/api/notebooks/{public_id}/revisions"),
        ("POST", "/api/notebooks/{public_id}/revisions"),
        ("GET", "/api/notebooks/{public_id}/revisions/{number}"),
        ("GET", "/api/notebooks/{public_id}/revisions/{number}/diff"),
        ("POST", "/api/notebooks/{public_id}/revisions/{number}/restore"),
        ("GET", "/api/notebooks/{public_id}/links"),
        ("POST", "/api/notebooks/{public_id}/links"),
        ("DELETE", "/api/notebooks/{public_id}/links/{link_id}"),
        ("GET", "/api/notebooks/{public_id}/collaborators"),
        ("GET", "/api/shared/{token}"),
        ("POST", "/api/shared/{token}/fork"),
        ("POST", "/api/shared/{token}/join"),
    }
    save = schema["paths"]["/api/notebooks/{public_id}/revisions"]["post"]
    assert {"200", "201"} <= set(save["responses"])
    assert "409" in save["description"]
    schemes = schema["components"]["securitySchemes"]
    assert {scheme["type"] for scheme in schemes.values()} >= {"http", "apiKey"}
    assert client.get("/api/docs").status_code == 200


def test_create_read_and_save_round_trip(bucket: Bucket) -> None:
    owner = user_make("ann@example.com")
    api = client_for(owner)
    text = notebook_text(markdown("# Rates"), code("rate = 0.05", "rate"))

    made = _post(api, "/api/notebooks", {"title": "Rates", "content": text})
    assert made.status_code == 201
    nid = made.json()["id"]
    detail = api.get(f"/api/notebooks/{nid}").json()

    assert detail["content"] == text
    assert detail["current_revision"] == 1
    assert (detail["owner_email"], detail["role"], detail["visibility"]) == (
        "ann@example.com",
        "owner",
        "private",
    )
    assert detail["permissions"] == ["delete", "fork", "history", "read", "revoke", "share", "write"]


def test_a_new_revision_is_201_and_the_same_content_again_is_200() -> None:
    notebook = notebook_make(user_make())
    api = client_for(notebook.owner)
    path = f"/api/notebooks/{notebook.public_id}/revisions"
    text = notebook_text(code("x = 2", "a"))

    created = _post(api, path, {"content": text, "base_revision": 1})
    again = _post(api, path, {"content": text, "base_revision": 2})

    assert created.status_code == 201
    assert created.json()["created"] is True
    assert created.json()["revision"]["number"] == 2
    assert again.status_code == 200
    assert again.json()["created"] is False
    assert again.json()["revision"] == created.json()["revision"]
    assert Revision.objects.filter(notebook=notebook).count() == 2


def test_a_stale_save_is_409_naming_the_current_revision() -> None:
    notebook = notebook_make(user_make())
    api = client_for(notebook.owner)
    path = f"/api/notebooks/{notebook.public_id}/revisions"
    _post(api, path, {"content": notebook_text(code("x = 'tab one'", "a")), "base_revision": 1})

    refused = _post(api, path, {"content": notebook_text(code("x = 'tab two'", "a")), "base_revision": 1})

    assert refused.status_code == 409
    assert refused.json() == {
        "error": "This notebook was saved elsewhere (revision 2) after the version you were "
        "editing. Load that version, or save yours on top of it.",
        "code": "conflict",
        "current_revision": 2,
    }
    # Saving on top of the current revision (the "keep mine" choice) then works.
    kept = _post(api, path, {"content": notebook_text(code("x = 'tab two'", "a")), "base_revision": 2})
    assert kept.status_code == 201 and kept.json()["revision"]["number"] == 3


def test_a_save_that_names_no_base_revision_is_refused_not_taken_as_save_on_top() -> None:
    """Conflict checks are on unless the caller turns them off in so many words."""
    notebook = notebook_make(user_make(), cells=[code("x = 1", "a")])
    api = client_for(notebook.owner)
    path = f"/api/notebooks/{notebook.public_id}/revisions"

    refused = _post(api, path, {"content": notebook_text(code("x = 2", "a"))})
    both = _post(
        api, path, {"content": notebook_text(code("x = 2", "a")), "base_revision": 1, "save_on_top": True}
    )

    assert refused.status_code == 400
    assert refused.json()["code"] == "base_revision_required"
    assert refused.json()["error"].startswith(
        "Say what this save is based on: `base_revision` (the revision you loaded"
    )
    assert "`save_on_top: true`" in refused.json()["error"]
    assert both.status_code == 400 and both.json()["code"] == "base_revision_required"
    assert "not both" in both.json()["error"]
    assert Revision.objects.filter(notebook=notebook).count() == 1


def test_save_on_top_saves_over_whatever_is_current_when_asked_for() -> None:
    notebook = notebook_make(user_make(), cells=[code("x = 1", "a")])
    api = client_for(notebook.owner)
    path = f"/api/notebooks/{notebook.public_id}/revisions"
    _post(api, path, {"content": notebook_text(code("x = 'elsewhere'", "a")), "base_revision": 1})

    mine = _post(api, path, {"content": notebook_text(code("x = 'mine'", "a")), "save_on_top": True})

    assert mine.status_code == 201
    assert mine.json()["revision"]["number"] == 3
    # The other version stays in the history.
    assert api.get(f"{path}/2").json()["content"] == notebook_text(code("x = 'elsewhere'", "a"))


def test_the_api_docs_say_a_save_needs_base_revision_or_save_on_top(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()
    save = schema["paths"]["/api/notebooks/{public_id}/revisions"]["post"]
    fields = schema["components"]["schemas"]["RevisionIn"]["properties"]

    assert "refused with 400 `base_revision_required`" in save["description"]
    assert "conflict checks are never skipped by leaving a field out" in save["description"]
    assert "Required unless `save_on_top` is true" in fields["base_revision"]["description"]
    assert fields["save_on_top"]["default"] is False
    assert "without a conflict check" in fields["save_on_top"]["description"]


def test_too_large_is_413_with_the_sizes(settings: Settings) -> None:
    settings.NOTEBOOK_MAX_BYTES = 1_000
    notebook = notebook_make(user_make())
    text = notebook_text(code("s = '" + "x" * 2_000 + "'", "a"))

    refused = _post(
        client_for(notebook.owner), f"/api/notebooks/{notebook.public_id}/revisions",
        {"content": text, "base_revision": 1},
    )

    assert refused.status_code == 413
    body = refused.json()
    assert body["code"] == "too_large"
    assert (body["size"], body["limit"]) == (len(text.encode()), 1_000)
    assert body["error"].startswith("This notebook is 2 kB, over the limit of 1 kB per notebook.")


@pytest.mark.parametrize(
    ("body", "status", "code", "words"),
    [
        ({}, 422, "invalid_request", "content: Field required"),
        ({"content": 5}, 422, "invalid_request", "content: Input should be a valid string"),
        ({"content": "x = 1", "base_revision": "one"}, 422, "invalid_request", "base_revision"),
        ("not json at all", 400, "bad_request", "The request body is not JSON text"),
        ({"content": "import marimo\napp = marimo.App()\n", "base_revision": 1}, 400, "invalid_notebook", "marimo notebook"),
    ],
)
def test_bad_requests_get_the_error_shape(body: object, status: int, code: str, words: str) -> None:
    notebook = notebook_make(user_make())
    data = body if isinstance(body, str) else json.dumps(body)

    response = client_for(notebook.owner).post(
        f"/api/notebooks/{notebook.public_id}/revisions", data, content_type="application/json"
    )

    assert response.status_code == status
    answer = response.json()
    assert answer["code"] == code
    assert words in answer["error"]


def test_refusals_get_the_error_shape() -> None:
    notebook = notebook_make(user_make())
    stranger = client_for(user_make())
    nid = notebook.public_id

    answers = {
        "not found": stranger.get(f"/api/notebooks/{nid}"),
        "no revision": client_for(notebook.owner).get(f"/api/notebooks/{nid}/revisions/7"),
        "unauthenticated": Client().get("/api/notebooks"),
        "csrf": client_for(notebook.owner, csrf_checks=True).delete(f"/api/notebooks/{nid}"),
        "bad path parameter": client_for(notebook.owner).get(f"/api/notebooks/{nid}/revisions/x"),
    }

    assert {name: (r.status_code, r.json()["code"]) for name, r in answers.items()} == {
        "not found": (404, "not_found"),
        "no revision": (404, "not_found"),
        "unauthenticated": (401, "unauthenticated"),
        "csrf": (403, "csrf_failed"),
        "bad path parameter": (422, "invalid_request"),
    }
    for response in answers.values():
        assert set(response.json()) >= {"error", "code"}
        assert response.json()["error"].endswith(".")
    assert answers["no revision"].json()["error"] == "This notebook has no revision 7."


def test_history_diff_and_restore_through_the_api() -> None:
    notebook = notebook_make(user_make(), cells=[code("x = 1", "a")])
    api = client_for(notebook.owner)
    nid = notebook.public_id
    _post(
        api,
        f"/api/notebooks/{nid}/revisions",
        {"content": notebook_text(code("x = 2", "a")), "base_revision": 1},
    )

    listed = api.get(f"/api/notebooks/{nid}/revisions").json()
    diff = api.get(f"/api/notebooks/{nid}/revisions/1/diff").json()
    old = api.get(f"/api/notebooks/{nid}/revisions/1").json()
    restored = api.post(f"/api/notebooks/{nid}/revisions/1/restore")
    again = api.post(f"/api/notebooks/{nid}/revisions/1/restore")

    assert [r["number"] for r in listed] == [2, 1]
    assert (diff["old"], diff["new"]) == (1, 2)
    assert "-x = 1" in diff["diff"].splitlines() and "+x = 2" in diff["diff"].splitlines()
    assert "x = 1" in old["content"]
    assert restored.status_code == 201
    assert restored.json()["revision"]["restored_from"] == 1
    assert restored.json()["revision"]["number"] == 3
    assert again.status_code == 200 and again.json()["created"] is False
    assert api.get(f"/api/notebooks/{nid}").json()["content"] == old["content"]


def test_import_through_the_api() -> None:
    api = client_for(user_make())

    made = _post(api, "/api/notebooks/import", {"text": "# %% name=a\nx = 1\n", "filename": "quick_sum.py"})
    refused = _post(api, "/api/notebooks/import", {"text": "{oops", "filename": "broken.ipynb"})

    assert made.status_code == 201 and made.json()["title"] == "quick sum"
    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid_notebook"
    assert refused.json()["error"].startswith("broken.ipynb: not valid JSON")


def test_listing_searching_and_the_trash() -> None:
    owner = user_make()
    for title in ("Sales 2024", "Sales 2025", "Weather"):
        notebook_make(owner, title=title)
    notebook_make(user_make(), title="Sales of someone else")
    api = client_for(owner)
    weather = api.get("/api/notebooks", {"q": "weather"}).json()[0]["id"]
    api.delete(f"/api/notebooks/{weather}")

    assert sorted(n["title"] for n in api.get("/api/notebooks").json()) == ["Sales 2024", "Sales 2025"]
    assert [n["title"] for n in api.get("/api/notebooks", {"q": "sales 2025"}).json()] == ["Sales 2025"]
    assert [n["title"] for n in api.get("/api/notebooks", {"trash": "true"}).json()] == ["Weather"]
    purged = api.delete(f"/api/notebooks/{weather}?permanent=true")
    assert purged.status_code == 204
    assert api.get("/api/notebooks", {"trash": "true"}).json() == []


def test_a_notebook_just_under_the_size_limit_can_be_saved_whatever_json_does_to_it(
    settings: Settings,
) -> None:
    """Quotes and newlines double in JSON, and Python's json turns é into \\u00e9 (3x)."""
    notebook = notebook_make(user_make())
    line = 'row("é", "ü", "x")\n'
    text = notebook_text(code(line * (settings.NOTEBOOK_MAX_BYTES // len(line.encode()) - 100), "a"))
    assert len(text.encode()) < settings.NOTEBOOK_MAX_BYTES
    body = json.dumps({"content": text, "base_revision": 1})  # ensure_ascii, like requests' json=
    assert len(body) > 2.5 * 1024 * 1024  # past Django's default request limit

    response = client_for(notebook.owner).post(
        f"/api/notebooks/{notebook.public_id}/revisions", body, content_type="application/json"
    )

    assert response.status_code == 201, response.content[:200]
    assert response.json()["revision"]["size"] == len(text.encode())


def test_a_refused_update_changes_nothing() -> None:
    owner, collaborator = user_make(), user_make()
    notebook = notebook_make(owner, title="Shared plan")
    collaborator_make(notebook, collaborator)

    response = client_for(collaborator).patch(
        f"/api/notebooks/{notebook.public_id}",
        json.dumps({"title": "Hijacked", "visibility": "public"}),
        content_type="application/json",
    )

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    notebook.refresh_from_db()
    assert (notebook.title, notebook.visibility) == ("Shared plan", "private")
    renamed = client_for(collaborator).patch(
        f"/api/notebooks/{notebook.public_id}", json.dumps({"title": "Plan v2"}), content_type="application/json"
    )
    assert renamed.status_code == 200 and renamed.json()["title"] == "Plan v2"
