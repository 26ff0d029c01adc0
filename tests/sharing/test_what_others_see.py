"""What people learn about each other through a shared notebook, and what removal ends.

E-mail addresses go only to the people who edit a notebook together; everyone else
(link holders, visitors of public notebooks) sees the public name set on the account
page. A collaborator the owner removed cannot come back through a link made before.
"""

from __future__ import annotations

import json

import pytest

from accounts.selectors import ANONYMOUS_NAME
from sharing.models import Role
from tests.factories import client_for, collaborator_make, link_make, notebook_make, user_make

pytestmark = pytest.mark.django_db

OWNER = "ada@example.com"


def test_a_stranger_sees_the_owners_public_name_never_the_address() -> None:
    owner = user_make(OWNER)
    notebook = notebook_make(owner, visibility="public")
    stranger = client_for(user_make())

    before = stranger.get(f"/api/notebooks/{notebook.public_id}")
    client_for(owner).post("/account/name", {"name": "  Ada   Lovelace "})
    after = stranger.get(f"/api/notebooks/{notebook.public_id}")

    assert (before.json()["owner"], before.json()["owner_email"]) == (ANONYMOUS_NAME, None)
    assert (after.json()["owner"], after.json()["owner_email"]) == ("Ada Lovelace", None)
    for response in (before, after):
        assert OWNER not in response.content.decode()


def test_forking_through_a_link_tells_the_forker_nothing_of_the_owner() -> None:
    notebook = notebook_make(user_make(OWNER))
    link = link_make(notebook, role=Role.FORK)
    forker = client_for(user_make("forker@example.com"))

    opened = forker.get(f"/api/shared/{link.token}")
    forked = forker.post(f"/api/shared/{link.token}/fork")

    assert opened.status_code == 200 and forked.status_code == 201
    assert forked.json()["owner_email"] == "forker@example.com"  # the fork is theirs
    for response in (opened, forked):
        assert OWNER not in response.content.decode()


def test_people_who_edit_together_see_each_others_addresses() -> None:
    owner, collaborator = user_make(OWNER), user_make("grace@example.com")
    notebook = notebook_make(owner)
    collaborator_make(notebook, collaborator)
    as_collaborator = client_for(collaborator)
    as_collaborator.post(
        f"/api/notebooks/{notebook.public_id}/revisions",
        json.dumps({"content": "# %%\nx = 1\n", "base_revision": 1}),
        content_type="application/json",
    )

    detail = as_collaborator.get(f"/api/notebooks/{notebook.public_id}").json()
    history = client_for(owner).get(f"/api/notebooks/{notebook.public_id}/revisions").json()

    assert detail["owner_email"] == OWNER
    assert history[0]["author_email"] == "grace@example.com"


def test_a_removed_collaborator_cannot_rejoin_through_an_old_link_only_a_new_one() -> None:
    owner, collaborator = user_make(OWNER), user_make()
    notebook = notebook_make(owner)
    old_link = collaborator_make(notebook, collaborator)
    as_owner, as_collaborator = client_for(owner), client_for(collaborator)

    removed = as_owner.delete(
        f"/api/notebooks/{notebook.public_id}/collaborators/{collaborator.pk}"
    )
    rejoin_api = as_collaborator.post(f"/api/shared/{old_link.token}/join")
    rejoin_page = as_collaborator.post(f"/s/{old_link.token}/join")

    assert removed.status_code == 204
    assert rejoin_api.status_code == 403
    assert "removed you from its editors" in rejoin_api.json()["error"]
    assert rejoin_page.status_code == 403
    assert as_collaborator.get(f"/api/notebooks/{notebook.public_id}").status_code == 404
    assert as_owner.get(f"/api/notebooks/{notebook.public_id}/collaborators").json() == []
    # As any holder of the link, they may still read through it (revoke it to stop that).
    assert as_collaborator.get(f"/api/shared/{old_link.token}").status_code == 200

    new_link = link_make(notebook, role=Role.EDIT)
    joined = as_collaborator.post(f"/api/shared/{new_link.token}/join")

    assert joined.status_code == 200
    assert as_collaborator.get(f"/api/notebooks/{notebook.public_id}").status_code == 200
    listed = as_owner.get(f"/api/notebooks/{notebook.public_id}/collaborators").json()
    assert [entry["user_id"] for entry in listed] == [collaborator.pk]


def test_a_public_name_too_long_is_refused_saying_the_limit() -> None:
    user = user_make()
    browser = client_for(user)

    response = browser.post("/account/name", {"name": "x" * 61}, follow=True)

    assert "A name is at most 60 characters; this one has 61." in response.content.decode()
    user.refresh_from_db()
    assert user.first_name == ""
