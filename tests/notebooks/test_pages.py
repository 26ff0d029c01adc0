"""The notebook pages as a signed-in person uses them: dashboard, editor, import, trash, history,
and the shared page's link preview.

Pages that frame the playground need a frontend build; ``fake_dist`` is a tiny one.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client

from notebooks import selectors, services
from notebooks.content import notebook_text_parse
from notebooks.models import Notebook, Revision
from notebooks.selectors import revision_text
from sharing.models import Role
from tests.factories import (
    client_for,
    code,
    collaborator_make,
    link_make,
    markdown,
    notebook_make,
    notebook_text,
    script_json,
    user_make,
)
from tests.service.conftest import FakeDist

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"


def _text(response: HttpResponse) -> str:
    return html.unescape(response.content.decode())


def _rows(response: HttpResponse, testid: str = "notebook-row") -> list[str]:
    """The notebook ids of the page's rows, in order."""
    return re.findall(rf'data-testid="{testid}" data-notebook-id="([^"]+)"', response.content.decode())


def _meta(response: HttpResponse, prop: str) -> str:
    found = re.search(rf'<meta (?:property|name)="{prop}" content="([^"]*)">', response.content.decode())
    assert found, f"no {prop} meta tag"
    return html.unescape(found.group(1))


@pytest.fixture(autouse=True)
def _frontend_build(fake_dist: FakeDist) -> None:
    """The editor and viewer frame the playground: they need a (fake) frontend build."""


def test_dashboard_lists_my_notebooks_newest_first_and_whats_shared_with_me() -> None:
    me, colleague = user_make(), user_make("colleague@example.com")
    older = notebook_make(me, title="Sales 2024")
    newer = notebook_make(me, title="Sales 2025")
    services.notebook_trash(notebook=notebook_make(me, title="Sales draft"))
    theirs = notebook_make(colleague, title="Team sales forecast")
    collaborator_make(theirs, me)
    notebook_make(colleague, title="Their private sales notes")

    page = client_for(me).get("/notebooks/")

    assert page.status_code == 200
    assert _rows(page) == [newer.public_id, older.public_id]
    shared = _text(page).split('data-testid="shared-list"')[1]
    assert "Team sales forecast" in shared and "by colleague@example.com" in shared
    assert "Their private sales notes" not in _text(page)
    assert "Sales draft" not in _text(page)


def test_dashboard_search_matches_every_word_of_the_title() -> None:
    me = user_make()
    weather = notebook_make(me, title="Weather in Lyon")
    notebook_make(me, title="Lyon budget")
    theirs = notebook_make(user_make(), title="Weather station Lyon")
    collaborator_make(theirs, me)

    page = client_for(me).get("/notebooks/", {"q": "lyon WEATHER"})

    assert _rows(page) == [weather.public_id]
    assert "Weather station Lyon" in _text(page)
    nothing = client_for(me).get("/notebooks/", {"q": "zebra"})
    assert nothing.status_code == 200
    assert "No notebook title has “zebra" in _text(nothing)
    # A NUL is not text: the page says so instead of searching (or failing).
    refused = client_for(me).get("/notebooks/", {"q": "zebra\x00"})
    assert refused.status_code == 400
    assert "The query parameter 'q' holds a NUL character" in _text(refused)


def test_new_notebook_from_the_dashboard_opens_the_editor() -> None:
    me = user_make()

    response = client_for(me).post("/notebooks/new", {"title": "Scratch"})

    notebook = Notebook.objects.get(owner=me)
    assert response["Location"] == f"/notebooks/{notebook.public_id}/"
    assert notebook.title == "Scratch"


def test_editor_hands_its_script_the_notebook_and_where_to_save() -> None:
    notebook = notebook_make(user_make(), title="Loans", cells=[code("rate = 0.04", "rate")])

    response = client_for(notebook.owner).get(f"/notebooks/{notebook.public_id}/")

    assert response.status_code == 200
    config = script_json(response)
    assert config["page"] == "editor"
    assert config["frameUrl"] == "http://usercontent.testserver/play?hosted=1"
    assert config["frameOrigin"] == "http://usercontent.testserver"
    assert config["saveUrl"] == f"/api/notebooks/{notebook.public_id}/revisions"
    assert config["eventsUrl"] == f"/ws/notebooks/{notebook.public_id}/"
    assert config["notebook"]["revision"] == 1
    assert "rate = 0.04" in config["notebook"]["content"]
    assert config["csrfToken"]
    assert 'value="Loans"' in response.content.decode()


def test_the_owner_previews_the_app_view_from_the_editor() -> None:
    notebook = notebook_make(user_make(), title="Loans", cells=[code("rate = 0.04", "rate")])
    browser = client_for(notebook.owner)

    editing = browser.get(f"/notebooks/{notebook.public_id}/")
    preview = browser.get(f"/notebooks/{notebook.public_id}/?mode=read")

    assert 'href="?mode=read" data-testid="preview-as-app"' in editing.content.decode()
    assert preview.status_code == 200
    config = script_json(preview)
    # The same framed playground, in its app view (outputs only).
    assert config["page"] == "editor"
    assert config["frameUrl"] == "http://usercontent.testserver/play?hosted=1&mode=read"
    assert config["notebook"]["mode"] == "read"
    page = preview.content.decode()
    assert f'href="/notebooks/{notebook.public_id}/" data-testid="back-to-editing"' in page
    assert 'data-testid="preview-badge"' in page
    assert 'data-testid="host-save"' not in page


def test_rename_returns_to_the_page_it_came_from_but_never_to_another_site() -> None:
    notebook = notebook_make(user_make(), title="Old name")
    browser = client_for(notebook.owner)
    path = f"/notebooks/{notebook.public_id}/rename"

    back = browser.post(path, {"title": "  New   name ", "next": f"/notebooks/{notebook.public_id}/"})
    elsewhere = browser.post(path, {"title": "Newer", "next": "https://evil.example/phish"})
    sneaky = browser.post(path, {"title": "Newest", "next": "//evil.example/phish"})

    assert back["Location"] == f"/notebooks/{notebook.public_id}/"
    assert elsewhere["Location"] == "/notebooks/"
    assert sneaky["Location"] == "/notebooks/"
    notebook.refresh_from_db()
    assert notebook.title == "Newest"


def test_delete_moves_to_the_trash_where_it_can_be_restored_or_purged() -> None:
    me = user_make()
    kept = notebook_make(me, title="Keep me")
    gone = notebook_make(me, title="Throw me away")
    browser = client_for(me)

    deleted = browser.post(f"/notebooks/{kept.public_id}/delete", follow=True)
    browser.post(f"/notebooks/{gone.public_id}/delete")
    trash = browser.get("/notebooks/trash")

    assert "“Keep me” is in the trash; restore it from there." in _text(deleted)
    assert set(_rows(trash, "trash-row")) == {kept.public_id, gone.public_id}
    assert "stay here for 30 days" in _text(trash)

    restored = browser.post(f"/notebooks/{kept.public_id}/restore", follow=True)
    purged = browser.post(f"/notebooks/{gone.public_id}/purge", follow=True)

    assert "Restored “Keep me”." in _text(restored)
    assert _rows(restored) == [kept.public_id]
    assert "Deleted “Throw me away” for good." in _text(purged)
    assert "The trash is empty." in _text(purged)
    assert not Notebook.objects.filter(pk=gone.pk).exists()


def test_purge_refuses_a_notebook_not_in_the_trash() -> None:
    notebook = notebook_make(user_make())

    response = client_for(notebook.owner).post(f"/notebooks/{notebook.public_id}/purge")

    assert response.status_code == 403
    assert "Move the notebook to the trash first." in _text(response)
    assert Notebook.objects.filter(pk=notebook.pk).exists()


def test_import_page_takes_pasted_text() -> None:
    me = user_make()
    pasted = (FIXTURES / "churn.py").read_text()

    response = client_for(me).post("/notebooks/import", {"text": pasted, "title": ""}, follow=True)

    notebook = Notebook.objects.get(owner=me)
    assert response.redirect_chain[0][0] == f"/notebooks/{notebook.public_id}/"
    assert "Imported “Customer churn”." in _text(response)
    assert "mo.ui.slider" in selectors.revision_text(revision=notebook.current_revision)


def test_import_page_takes_an_uploaded_ipynb_file() -> None:
    me = user_make()
    upload = SimpleUploadedFile(
        "penguins.ipynb", (FIXTURES / "penguins.ipynb").read_bytes(), "application/x-ipynb+json"
    )

    response = client_for(me).post("/notebooks/import", {"file": upload, "title": "Penguins"})

    notebook = Notebook.objects.get(owner=me)
    assert response["Location"] == f"/notebooks/{notebook.public_id}/"
    assert notebook.title == "Penguins"
    text = selectors.revision_text(revision=notebook.current_revision)
    assert "# %matplotlib inline" in text and "statistics.mean" in text


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"text": "{\n  \"cells\": [\n"}, "the pasted notebook: not valid JSON"),
        ({"text": "https://playground.example/play#code/N4Ig"}, "was it cut?"),
        ({"text": "   "}, "There is nothing to import"),
    ],
)
def test_import_page_shows_the_error_and_keeps_the_text(form: dict[str, str], error: str) -> None:
    me = user_make()

    response = client_for(me).post("/notebooks/import", form)

    assert response.status_code == 400
    page = _text(response)
    assert error in page.split('data-testid="import-error">')[1].split("</p>")[0]
    textarea = page.split('data-testid="import-text">')[1].split("</textarea>")[0]
    assert textarea == form["text"]
    assert not Notebook.objects.filter(owner=me).exists()


def test_import_page_says_when_an_upload_is_not_text() -> None:
    upload = SimpleUploadedFile("data.ipynb", b"\xff\xfe\x00binary", "application/octet-stream")

    response = client_for(user_make()).post("/notebooks/import", {"file": upload})

    assert response.status_code == 400
    assert "data.ipynb is not UTF-8 text, so it is not a notebook." in _text(response)


def test_import_page_sends_visitors_to_log_in_first(client: Client) -> None:
    response = client.get("/notebooks/import")

    assert response["Location"] == "/accounts/login/?next=/notebooks/import"


def test_history_shows_what_changed_and_restores_an_old_revision() -> None:
    notebook = notebook_make(
        user_make(), cells=[code("price = 10", "price"), code("total = price * 3", "total")]
    )
    services.revision_create(
        notebook=notebook,
        content=notebook_text(code("price = 12", "price"), code("total = price * 3", "total")),
        author=notebook.owner,
        base_revision=1,
    )
    browser = client_for(notebook.owner)

    page = browser.get(f"/notebooks/{notebook.public_id}/history")

    assert page.status_code == 200
    diff = _text(page).split('data-testid="diff">')[1].split("</ol>")[0]
    # Cell by cell: the changed cell's lines, the unchanged one named only.
    assert '<span class="diff-removed">- price = 10</span><span class="diff-added">+ price = 12</span>' in diff
    assert "Cell 2 unchanged" in diff
    assert "total = price * 3" not in diff
    assert re.findall(r'data-revision="(\d+)"', page.content.decode()) == ["2", "1"]

    restored = browser.post(f"/notebooks/{notebook.public_id}/history/1/restore")

    # Back to the editor, which says what happened.
    assert restored.status_code == 302
    assert restored["Location"] == f"/notebooks/{notebook.public_id}/"
    editor = browser.get(restored["Location"])
    assert "Restored revision 1: it is now revision 3, the current one" in _text(editor)
    notebook.refresh_from_db()
    assert notebook.current_revision.number == 3
    assert "price = 10" in selectors.revision_text(revision=notebook.current_revision)
    history = browser.get(f"/notebooks/{notebook.public_id}/history")
    assert "restored from 1" in _text(history)


def test_history_of_a_notebook_with_one_revision_says_it_is_current() -> None:
    notebook = notebook_make(user_make())

    page = client_for(notebook.owner).get(f"/notebooks/{notebook.public_id}/history?rev=nonsense")

    assert page.status_code == 200
    assert "This is the current revision." in _text(page)
    assert 'data-testid="revision-restore"' not in page.content.decode()


def test_the_shared_page_previews_the_notebook_and_hands_over_its_content() -> None:
    notebook = notebook_make(
        user_make(),
        title="Coffee & <tea> consumption",
        cells=[
            code("import statistics", "imports"),
            markdown("# Coffee\nHow much **coffee** does the team drink per day?"),
            code("cups = [3, 2, 4]\nstatistics.mean(cups)", "cups"),
        ],
    )
    link = link_make(notebook, role=Role.FORK)

    response = client_for(None).get(f"/s/{link.token}")

    assert response.status_code == 200
    assert _meta(response, "og:title") == "Coffee & <tea> consumption"
    assert _meta(response, "og:description") == (
        "Coffee How much coffee does the team drink per day?"
    )
    assert _meta(response, "twitter:card") == "summary"
    assert _meta(response, "og:url") == f"http://testserver/s/{link.token}"
    assert _meta(response, "robots") == "noindex"
    assert "<tea>" not in response.content.decode()  # escaped, not markup
    config = script_json(response)
    assert config["page"] == "viewer"
    assert config["frameUrl"] == "http://usercontent.testserver/play?hosted=1&mode=read"
    assert config["canFork"] is True
    assert config["notebook"]["content"] == selectors.revision_text(
        revision=notebook.current_revision
    )


def test_a_shared_page_without_prose_gets_a_generic_description() -> None:
    notebook = notebook_make(user_make(), cells=[code("x = 1", "x")], visibility="public")

    response = client_for(None).get(f"/n/{notebook.public_id}")

    assert _meta(response, "og:description") == "A reactive Python notebook you can run in your browser."


def test_download_gives_the_file_with_a_safe_name() -> None:
    notebook = notebook_make(user_make(), title='Q3 "final" / v2', cells=[code("x = 3", "x")])

    response = client_for(notebook.owner).get(f"/notebooks/{notebook.public_id}/download")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="Q3 _final_ _ v2.py"'
    assert response.content.decode() == selectors.revision_text(revision=notebook.current_revision)


def test_explore_lists_public_notebooks_only() -> None:
    public = notebook_make(user_make(), title="Public orbit maths", visibility="public")
    notebook_make(user_make(), title="Unlisted orbit maths", visibility="unlisted")
    notebook_make(user_make(), title="Private orbit maths")

    page = _text(client_for(None).get("/explore", {"q": "orbit"}))

    assert public.title in page
    assert "Unlisted orbit maths" not in page and "Private orbit maths" not in page
    assert Revision.objects.filter(notebook=public).count() == 1


def test_a_new_notebook_starts_with_the_starter_or_empty_as_chosen() -> None:
    me = user_make()
    client = client_for(me)

    client.post("/notebooks/new", {"title": ""})
    client.post("/notebooks/new", {"title": "Blank", "start": "empty"})

    toured, blank = Notebook.objects.filter(owner=me).order_by("id")
    assert toured.title == "Untitled notebook"  # not the starter's heading
    tour = notebook_text_parse(revision_text(revision=toured.current_revision))
    assert [cell.kind for cell in tour.cells] == ["markdown", "code", "code"]
    assert "ui.slider" in tour.cells[1].code
    assert "install when a cell imports them" in tour.cells[2].code
    empty = notebook_text_parse(revision_text(revision=blank.current_revision))
    assert [(cell.kind, cell.code) for cell in empty.cells] == [("code", "")]
