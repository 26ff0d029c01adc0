"""Titles over the limit are refused with the limit named, never cut; any title fits the dashboard."""

from __future__ import annotations

import html
import json

import pytest

from notebooks import services
from notebooks.errors import InvalidTitle
from notebooks.models import TITLE_MAX_LENGTH, Notebook
from tests.factories import client_for, notebook_make, notebook_text, user_make
from tests.service.conftest import FakeDist

pytestmark = pytest.mark.django_db

LONGEST = "T" * TITLE_MAX_LENGTH
TOO_LONG = "a" * (TITLE_MAX_LENGTH + 50)
LIMIT_MESSAGE = f"This title is 250 characters long; a title may have at most {TITLE_MAX_LENGTH}."


@pytest.fixture(autouse=True)
def _frontend_build(fake_dist: FakeDist) -> None:
    """The editor page frames the playground: it needs a (fake) build."""


def _page(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.content.decode())


def test_services_refuse_a_title_over_the_limit_and_keep_one_at_it() -> None:
    owner = user_make()

    with pytest.raises(InvalidTitle) as refused:
        services.notebook_create(owner=owner, title=TOO_LONG)
    assert refused.value.message.startswith(LIMIT_MESSAGE)
    assert refused.value.detail == {"length": 250, "limit": TITLE_MAX_LENGTH}
    assert not Notebook.objects.exists()

    notebook = services.notebook_create(owner=owner, title=LONGEST)
    assert notebook.title == LONGEST
    with pytest.raises(InvalidTitle):
        services.notebook_rename(notebook=notebook, title=TOO_LONG)
    notebook.refresh_from_db()
    assert notebook.title == LONGEST


def test_the_limit_counts_the_title_as_stored_runs_of_spaces_as_one() -> None:
    notebook = services.notebook_create(
        owner=user_make(), title="  " + "word   " * 40 + "\n"
    )  # 283 characters typed, 199 kept

    assert notebook.title == " ".join(["word"] * 40)


def test_a_fork_of_a_title_at_the_limit_fits_its_suffix_in() -> None:
    original = notebook_make(user_make(), title=LONGEST)

    fork = services.notebook_fork(notebook=original, owner=user_make())

    assert len(fork.title) == TITLE_MAX_LENGTH
    assert fork.title.endswith("T (fork)")


def test_forms_say_the_limit_instead_of_cutting() -> None:
    owner = user_make()
    browser = client_for(owner)

    made = browser.post("/notebooks/new", {"title": TOO_LONG}, follow=True)
    assert LIMIT_MESSAGE in _page(made)
    assert not Notebook.objects.exists()

    notebook = notebook_make(owner, title="Kept")
    renamed = browser.post(
        f"/notebooks/{notebook.public_id}/rename",
        {"title": TOO_LONG, "next": f"/notebooks/{notebook.public_id}/"},
        follow=True,
    )
    assert f"Not renamed: {LIMIT_MESSAGE}" in _page(renamed)
    notebook.refresh_from_db()
    assert notebook.title == "Kept"

    imported = browser.post(
        "/notebooks/import", {"text": notebook_text(), "title": TOO_LONG}
    )
    assert imported.status_code == 400
    assert LIMIT_MESSAGE in _page(imported)
    assert Notebook.objects.count() == 1


def test_no_title_field_cuts_what_is_typed_or_pasted() -> None:
    """A ``maxlength`` would make the browser drop the end of a pasted title silently."""
    owner = user_make()
    notebook = notebook_make(owner)
    browser = client_for(owner)

    for url in ("/notebooks/", f"/notebooks/{notebook.public_id}/", "/notebooks/import"):
        assert "maxlength" not in browser.get(url).content.decode(), url


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/notebooks", {"title": TOO_LONG}),
        ("post", "/api/notebooks/import", {"text": "# %%\nx = 1\n", "title": TOO_LONG}),
        ("patch", "/api/notebooks/{id}", {"title": TOO_LONG}),
    ],
)
def test_the_api_refuses_a_long_title_with_400_naming_the_limit(
    method: str, path: str, body: dict[str, str]
) -> None:
    notebook = notebook_make(user_make(), title="Kept")

    response = client_for(notebook.owner).generic(
        method.upper(), path.format(id=notebook.public_id), json.dumps(body),
        content_type="application/json",
    )

    assert response.status_code == 400
    answer = response.json()
    assert answer["code"] == "invalid_title"
    assert answer["error"].startswith(LIMIT_MESSAGE)
    assert (answer["length"], answer["limit"]) == (250, TITLE_MAX_LENGTH)
    assert list(Notebook.objects.values_list("title", flat=True)) == ["Kept"]


def test_a_long_title_beside_a_new_visibility_changes_neither() -> None:
    notebook = notebook_make(user_make(), title="Kept")

    response = client_for(notebook.owner).patch(
        f"/api/notebooks/{notebook.public_id}",
        json.dumps({"title": TOO_LONG, "visibility": "public"}),
        content_type="application/json",
    )

    assert response.status_code == 400
    notebook.refresh_from_db()
    assert (notebook.title, notebook.visibility) == ("Kept", "private")


def test_the_api_schema_states_the_title_limit(client) -> None:  # type: ignore[no-untyped-def]
    schemas = client.get("/api/openapi.json").json()["components"]["schemas"]

    for name in ("NotebookCreateIn", "NotebookImportIn", "NotebookPatchIn"):
        described = schemas[name]["properties"]["title"]["description"]
        assert f"At most {TITLE_MAX_LENGTH} characters" in described, name
        assert "invalid_title" in described


def test_the_dashboard_gives_each_title_its_whole_text_as_a_tooltip() -> None:
    owner = user_make()
    long_word = "Supercalifragilistic" * 10
    notebook_make(owner, title=long_word)

    page = client_for(owner).get("/notebooks/").content.decode()

    assert (
        '<td class="title-cell"><a href="/notebooks/' in page
        and f'title="{long_word}" data-testid="notebook-open">{long_word}</a>' in page
    )


def test_the_refusal_of_a_long_title_says_where_a_longer_text_can_go() -> None:
    with pytest.raises(InvalidTitle) as refused:
        services.notebook_create(owner=user_make(), title=TOO_LONG)

    assert refused.value.message == (
        f"{LIMIT_MESSAGE} Shorten it (the notebook's first markdown cell can hold a longer "
        "description)."
    )


def test_a_fork_of_a_long_title_cut_after_a_space_keeps_one_space_before_its_suffix() -> None:
    # The cut falls just after "word ": that space is dropped, not doubled.
    title = "x" * (TITLE_MAX_LENGTH - len(" (fork)") - 5) + "word " + "yy"
    original = notebook_make(user_make(), title=title)

    fork = services.notebook_fork(notebook=original, owner=user_make())

    assert fork.title == title[: TITLE_MAX_LENGTH - len(" (fork)") - 1] + " (fork)"
