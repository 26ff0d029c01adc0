"""Share links and collaborators: making links (and the hourly limit), joining, visibility."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from notebooks.errors import NotebookError
from notebooks.services import notebook_rename, revision_create
from sharing import services
from sharing.errors import RateLimited
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


def _make_link(client: Client, notebook_id: str, **body: object) -> object:
    return client.post(
        f"/api/notebooks/{notebook_id}/links", json.dumps(body), content_type="application/json"
    )


def test_links_beyond_the_hourly_limit_answer_429_saying_what_to_do(
    settings: Settings, fresh_cache: str
) -> None:
    settings.SHARE_LINKS_PER_HOUR = 2
    owner = user_make()
    notebook = notebook_make(owner)
    as_owner = client_for(owner)

    answers = [_make_link(as_owner, notebook.public_id).status_code for _ in range(2)]
    refused = _make_link(as_owner, notebook.public_id, role="edit")

    assert answers == [201, 201]
    assert refused.status_code == 429
    assert refused.json() == {
        "error": "You have made 2 share links this hour, the most allowed per hour. "
        "Reuse one of them, or try again later.",
        "code": "rate_limited",
    }
    assert ShareLink.objects.filter(notebook=notebook).count() == 2
    # The page says the same, and makes no link either.
    page = as_owner.post(
        f"/notebooks/{notebook.public_id}/share/links", {"role": "view"}, follow=True
    )
    assert "You have made 2 share links this hour" in page.content.decode()
    assert ShareLink.objects.filter(notebook=notebook).count() == 2


def test_the_link_limit_is_per_account(settings: Settings, fresh_cache: str) -> None:
    settings.SHARE_LINKS_PER_HOUR = 1
    first, second = notebook_make(user_make()), notebook_make(user_make())
    link_make(first)

    with pytest.raises(RateLimited):
        link_make(first)
    assert link_make(second).notebook == second


def test_a_new_link_has_an_unguessable_token_and_an_address() -> None:
    owner = user_make()
    notebook = notebook_make(owner)

    made = _make_link(client_for(owner), notebook.public_id, role="fork", expires_in_days=7)

    assert made.status_code == 201
    body = made.json()
    link = ShareLink.objects.get(public_id=body["id"])
    assert body["url"] == f"http://testserver/s/{link.token}"
    assert len(link.token) == 32 and link.token != link.public_id
    assert body["role"] == "fork" and body["active"] is True and body["show_code"] is True
    assert (link.expires_at - timezone.now()).days == 6  # 7 days less a moment


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"role": "admin"}, 400, "A link's role is one of: view, fork, edit."),
        ({"role": "view", "expires_in_days": 0}, 422, "expires_in_days"),
    ],
)
def test_bad_link_requests_say_what_is_wrong(body: dict[str, object], status: int, message: str) -> None:
    owner = user_make()
    notebook = notebook_make(owner)

    response = _make_link(client_for(owner), notebook.public_id, **body)

    assert response.status_code == status
    assert message in response.json()["error"]
    assert not ShareLink.objects.filter(notebook=notebook).exists()


def test_an_expiry_in_the_past_is_refused() -> None:
    notebook = notebook_make(user_make())

    with pytest.raises(NotebookError, match="must lie in the future"):
        link_make(notebook, expires_at=timezone.now())


def test_joining_twice_keeps_one_collaborator_on_the_latest_link() -> None:
    owner, person = user_make(), user_make()
    notebook = notebook_make(owner)
    first = collaborator_make(notebook, person)
    second = link_make(notebook, role=Role.EDIT)

    services.collaborator_join(link=second, user=person)
    services.share_link_revoke(link=first)

    collaborator = Collaborator.objects.get(notebook=notebook)
    assert (collaborator.user, collaborator.link) == (person, second)
    # Still a collaborator: it is the second link they work through now.
    assert client_for(person).get(f"/api/notebooks/{notebook.public_id}").status_code == 200


def test_the_owner_joining_their_own_edit_link_changes_nothing() -> None:
    owner = user_make()
    notebook = notebook_make(owner)
    link = link_make(notebook, role=Role.EDIT)

    response = client_for(owner).post(f"/s/{link.token}/join")

    assert response.status_code == 302 and response["Location"] == f"/notebooks/{notebook.public_id}/"
    assert not Collaborator.objects.exists()


def test_the_owner_sees_links_and_collaborators() -> None:
    owner, person = user_make("owner@example.com"), user_make("bob@example.com")
    notebook = notebook_make(owner)
    view = link_make(notebook)
    edit = collaborator_make(notebook, person)
    services.share_link_revoke(link=view)
    as_owner = client_for(owner)

    links = as_owner.get(f"/api/notebooks/{notebook.public_id}/links").json()
    people = as_owner.get(f"/api/notebooks/{notebook.public_id}/collaborators").json()
    page = as_owner.get(f"/notebooks/{notebook.public_id}/share").content.decode()

    assert [(link["id"], link["active"]) for link in links] == [
        (edit.public_id, True),
        (view.public_id, False),
    ]
    assert [p["email"] for p in people] == ["bob@example.com"]
    assert "bob@example.com" in page and edit.token in page
    assert view.token not in page  # a revoked link is no longer offered for copying


def test_visibility_is_one_of_three(settings: Settings) -> None:
    owner = user_make()
    notebook = notebook_make(owner)
    as_owner = client_for(owner)
    path = f"/api/notebooks/{notebook.public_id}"

    refused = as_owner.patch(path, json.dumps({"visibility": "everyone"}), content_type="application/json")
    changed = as_owner.patch(path, json.dumps({"visibility": "public"}), content_type="application/json")

    assert refused.status_code == 400
    assert refused.json() == {"error": "Visibility is one of: private, unlisted, public.", "code": "invalid"}
    assert changed.status_code == 200 and changed.json()["visibility"] == "public"
    assert notebook.title in client_for(None).get("/explore").content.decode()


@pytest.mark.parametrize("days", ["soon", "99999999999"])
def test_an_unusable_expiry_on_the_share_page_says_so(days: str) -> None:
    owner = user_make()
    notebook = notebook_make(owner)

    page = client_for(owner).post(
        f"/notebooks/{notebook.public_id}/share/links",
        {"role": "view", "expires_in_days": days},
        follow=True,
    )

    assert page.status_code == 200
    assert "The expiry is a number of days." in page.content.decode()
    assert not ShareLink.objects.filter(notebook=notebook).exists()


def test_link_holders_download_the_file_only_when_the_link_shows_the_code(
    fake_dist: object,
) -> None:
    owner = user_make()
    notebook = notebook_make(owner, cells=[code("secret_sauce = 42", "sauce")])
    with_code = link_make(notebook, role=Role.VIEW, show_code=True)
    outputs_only = link_make(notebook, role=Role.VIEW)
    anonymous = Client()

    page = anonymous.get(f"/s/{with_code.token}").content.decode()
    assert f'href="/s/{with_code.token}/download"' in page
    download = anonymous.get(f"/s/{with_code.token}/download")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert "secret_sauce = 42" in download.content.decode()

    assert "/download" not in anonymous.get(f"/s/{outputs_only.token}").content.decode()
    assert anonymous.get(f"/s/{outputs_only.token}/download").status_code == 403
    services.share_link_revoke(link=with_code)
    assert anonymous.get(f"/s/{with_code.token}/download").status_code == 410
    # The notebook's own address stays closed to them: it is private.
    assert anonymous.get(f"/notebooks/{notebook.public_id}/download").status_code == 404


def test_the_shared_page_follows_revocation_new_revisions_and_renames_at_once(
    fake_dist: object,
) -> None:
    """Anonymous shared pages are served from a cache; none of these may be stale."""
    owner = user_make()
    notebook = notebook_make(owner, title="Before", cells=[code("value = 'first'", "v")])
    link = link_make(notebook, role=Role.VIEW)
    anonymous = Client()
    page = f"/s/{link.token}"

    first = anonymous.get(page).content.decode()
    assert first == anonymous.get(page).content.decode()
    assert "value = 'first'" in script_json_text(first)

    revision_create(
        notebook=notebook, content=notebook_text(code("value = 'second'", "v")),
        author=owner, base_revision=None,
    )
    assert "value = 'second'" in script_json_text(anonymous.get(page).content.decode())

    notebook_rename(notebook=notebook, title="After")
    assert "<title>After — Playground</title>" in anonymous.get(page).content.decode()

    # A signed-in visitor gets their own page (their menu, a fork form), never the cached one.
    visitor = user_make()
    signed_in = client_for(visitor).get(page).content.decode()
    assert visitor.email in signed_in

    services.share_link_revoke(link=link)
    assert anonymous.get(page).status_code == 410


def script_json_text(html: str) -> str:
    """The notebook text a shared page hands its playground."""
    start = html.index('<script id="host-config" type="application/json">')
    return json.loads(html[start:].split(">", 1)[1].split("</script>", 1)[0])["notebook"]["content"]
