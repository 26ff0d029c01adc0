"""Who may do what to a notebook, through the pages and through the API: one table, two interfaces.

``sharing.access`` holds the intended matrix in its docstring. Here every actor
tries every action for real, with the test client, and the outcome is read off the
response *and* off the database and bucket: "ok" must have its effect, every other
outcome must leave the notebook exactly as it was.

Outcomes: ``ok``; ``denied`` (403: may read it, not do this); ``hidden`` (404, the
same as a notebook that does not exist); ``login`` (a page sends you to log in, the
API answers 401); ``drafts`` (allowed, but only into the browser's drafts: the page
offers it, the server's fork into an account asks to log in like ``login``).

How each actor reaches the notebook: link holders read, write (join) and fork
through their link (``/s/<token>``, ``/api/shared/<token>``); everyone else, and
every other action, goes through the notebook's own address. The API asks
anonymous callers to sign in before it looks anything up, so on the API an
anonymous request to a notebook's own address is ``login`` whatever the table says
for the pages.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone

from notebooks.models import Notebook
from sharing.models import Collaborator, Role, ShareLink
from tests.factories import (
    client_for,
    code,
    collaborator_make,
    link_make,
    notebook_make,
    notebook_text,
    script_json,
    user_make,
)
from tests.service.conftest import FakeDist

pytestmark = pytest.mark.django_db

ACTIONS = ("read", "history", "write", "delete", "share", "revoke", "fork")
MARKER = "matrix_marker = 'only readers see this'"

# A private notebook.
#                           read      history   write     delete    share     revoke    fork
MATRIX: dict[str, tuple[str, ...]] = {
    "owner":                ("ok",     "ok",     "ok",     "ok",     "ok",     "ok",     "ok"),
    "collaborator":         ("ok",     "ok",     "ok",     "denied", "denied", "denied", "ok"),
    "view link, signed in": ("ok",     "hidden", "denied", "hidden", "hidden", "hidden", "denied"),
    "view link, anonymous": ("ok",     "login",  "login",  "login",  "login",  "login",  "login"),
    "fork link, signed in": ("ok",     "hidden", "denied", "hidden", "hidden", "hidden", "ok"),
    "fork link, anonymous": ("ok",     "login",  "login",  "login",  "login",  "login",  "drafts"),
    "edit link, signed in": ("ok",     "hidden", "ok",     "hidden", "hidden", "hidden", "ok"),
    "edit link, anonymous": ("ok",     "login",  "login",  "login",  "login",  "login",  "drafts"),
    "another user":         ("hidden", "hidden", "hidden", "hidden", "hidden", "hidden", "hidden"),
    "anonymous":            ("hidden", "login",  "login",  "login",  "login",  "login",  "login"),
}

# An unlisted or public notebook, for people without a link or a role: they read the
# current revision, never the history (an old revision may hold what the owner
# removed before publishing).
#                           read      history   write     delete    share     revoke    fork
VISIBLE: dict[str, tuple[str, ...]] = {
    "another user":         ("ok",     "denied", "denied", "denied", "denied", "denied", "ok"),
    "anonymous":            ("ok",     "login",  "login",  "login",  "login",  "login",  "login"),
}


def _cases(table: dict[str, tuple[str, ...]]) -> list[Any]:
    return [
        pytest.param(actor, action, outcome, id=f"{actor} x {action}")
        for actor, outcomes in table.items()
        for action, outcome in zip(ACTIONS, outcomes, strict=True)
    ]


@dataclass
class Scene:
    """A notebook, the actor trying something on it, and what they hold."""

    notebook: Notebook
    victim: ShareLink  # the link that "revoke" tries to revoke
    actor: AbstractUser | None
    link: ShareLink | None
    client: Client = field(repr=False)

    @property
    def nid(self) -> str:
        return self.notebook.public_id


@dataclass(frozen=True)
class State:
    title: str
    revision: int
    trashed: bool
    links: int
    victim_revoked: bool
    forks_by_actor: int
    collaborators: int


def _state(scene: Scene) -> State:
    notebook = Notebook.objects.select_related("current_revision").get(pk=scene.notebook.pk)
    scene.victim.refresh_from_db()
    return State(
        title=notebook.title,
        revision=notebook.current_revision.number,
        trashed=notebook.is_trashed,
        links=ShareLink.objects.filter(notebook=notebook).count(),
        victim_revoked=scene.victim.revoked_at is not None,
        forks_by_actor=Notebook.objects.filter(forked_from=notebook, owner=scene.actor).count()
        if scene.actor
        else 0,
        collaborators=Collaborator.objects.filter(notebook=notebook).count(),
    )


def _scene(actor: str, *, visibility: str = "private") -> Scene:
    owner = user_make()
    notebook = notebook_make(
        owner, title="Matrix", cells=[code(MARKER, "marker")], visibility=visibility
    )
    victim = link_make(notebook, role=Role.VIEW)
    user: AbstractUser | None
    link: ShareLink | None = None
    if actor == "owner":
        user = owner
    elif actor == "collaborator":
        user = user_make()
        collaborator_make(notebook, user)
    elif actor in ("another user", "anonymous"):
        user = None if actor == "anonymous" else user_make()
    else:
        role, _, who = actor.partition(" link, ")
        link = link_make(notebook, role=role)
        user = user_make() if who == "signed in" else None
    return Scene(notebook=notebook, victim=victim, actor=user, link=link, client=client_for(user))


def _answered(expected: str) -> str:
    """What the server answers for a table entry (a fork into drafts never reaches it)."""
    return "login" if expected == "drafts" else expected


def _via_link(scene: Scene, action: str) -> bool:
    return scene.link is not None and action in ("read", "write", "fork")


# --- the pages ------------------------------------------------------------------------


def _page_action(scene: Scene, action: str) -> HttpResponse:
    client, nid = scene.client, scene.nid
    if _via_link(scene, action):
        token = scene.link.token
        return {
            "read": lambda: client.get(f"/s/{token}"),
            "write": lambda: client.post(f"/s/{token}/join"),
            "fork": lambda: client.post(f"/s/{token}/fork"),
        }[action]()
    return {
        "read": lambda: client.get(f"/n/{nid}"),
        "history": lambda: client.get(f"/notebooks/{nid}/history"),
        "write": lambda: client.post(f"/notebooks/{nid}/rename", {"title": "Renamed"}),
        "delete": lambda: client.post(f"/notebooks/{nid}/delete"),
        "share": lambda: client.post(f"/notebooks/{nid}/share/links", {"role": "view"}),
        "revoke": lambda: client.post(
            f"/notebooks/{nid}/share/links/{scene.victim.public_id}/revoke"
        ),
        "fork": lambda: client.post(f"/notebooks/{nid}/fork"),
    }[action]()


def _page_outcome(response: HttpResponse) -> str:
    if response.status_code == 302 and response["Location"].startswith("/accounts/login/"):
        return "login"
    return {200: "ok", 302: "ok", 403: "denied", 404: "hidden"}.get(
        response.status_code, f"status {response.status_code}"
    )


# --- the API --------------------------------------------------------------------------


def _api_action(scene: Scene, action: str) -> HttpResponse:
    client, nid = scene.client, scene.nid

    def post(path: str, body: object = None) -> HttpResponse:
        return client.post(path, json.dumps(body or {}), content_type="application/json")

    if _via_link(scene, action):
        token = scene.link.token
        if action == "read":
            return client.get(f"/api/shared/{token}")
        if action == "fork":
            return post(f"/api/shared/{token}/fork")
        joined = post(f"/api/shared/{token}/join")
        if joined.status_code != 200:
            return joined
        # Joined: now the notebook's own address takes their saves.
        nid = joined.json()["id"]
    save = {"content": notebook_text(code("x = 'saved'", "a")), "base_revision": 1}
    return {
        "read": lambda: client.get(f"/api/notebooks/{nid}"),
        "history": lambda: client.get(f"/api/notebooks/{nid}/revisions"),
        "write": lambda: post(f"/api/notebooks/{nid}/revisions", save),
        "delete": lambda: client.delete(f"/api/notebooks/{nid}"),
        "share": lambda: post(f"/api/notebooks/{nid}/links", {"role": "view"}),
        "revoke": lambda: client.delete(f"/api/notebooks/{nid}/links/{scene.victim.public_id}"),
        "fork": lambda: post(f"/api/notebooks/{nid}/fork"),
    }[action]()


def _api_outcome(response: HttpResponse) -> str:
    if 200 <= response.status_code < 300:
        return "ok"
    outcome = {401: "login", 403: "denied", 404: "hidden"}.get(response.status_code)
    if outcome is None:
        return f"status {response.status_code}"
    body = response.json()
    assert set(body) == {"error", "code"} and body["error"], body
    return outcome


# --- what must (not) have happened ----------------------------------------------------


def _effect_check(scene: Scene, action: str, before: State, api: bool, ok: bool) -> None:
    after = _state(scene)
    if not ok:
        assert after == before, f"a refused {action} changed the notebook"
        return
    via_link = _via_link(scene, action)
    if action == "write" and via_link:  # joined through the edit link
        expected = replace(before, collaborators=before.collaborators + 1)
        if api:  # ...and saved through the notebook's address
            expected = replace(expected, revision=before.revision + 1)
    elif action == "write":
        expected = (
            replace(before, revision=before.revision + 1) if api else replace(before, title="Renamed")
        )
    else:
        expected = {
            "read": before,
            "history": before,
            "delete": replace(before, trashed=True),
            "share": replace(before, links=before.links + 1),
            "revoke": replace(before, victim_revoked=True),
            "fork": replace(before, forks_by_actor=1),
        }[action]
    assert after == expected


def _read_check(response: HttpResponse, action: str, outcome: str) -> None:
    shown = MARKER in response.content.decode()
    if action == "read" and outcome == "ok":
        assert shown, "a reader did not get the notebook's content"
    elif outcome != "ok":
        assert not shown, "someone who may not read it was shown the content"


@pytest.fixture(autouse=True)
def _frontend_build(fake_dist: FakeDist) -> None:
    """The notebook pages frame the playground: they need a (fake) frontend build."""


@pytest.mark.parametrize(("actor", "action", "expected"), _cases(MATRIX))
def test_pages_private_notebook(actor: str, action: str, expected: str) -> None:
    scene = _scene(actor)
    before = _state(scene)

    response = _page_action(scene, action)

    assert _page_outcome(response) == _answered(expected)
    _effect_check(scene, action, before, api=False, ok=expected == "ok")
    _read_check(response, action, expected)


@pytest.mark.parametrize(("actor", "action", "expected"), _cases(MATRIX))
def test_api_private_notebook(actor: str, action: str, expected: str) -> None:
    scene = _scene(actor)
    before = _state(scene)
    if scene.actor is None and not _via_link(scene, action):
        expected = "login"

    response = _api_action(scene, action)

    assert _api_outcome(response) == _answered(expected)
    _effect_check(scene, action, before, api=True, ok=expected == "ok")
    _read_check(response, action, expected)


@pytest.mark.parametrize("visibility", ["unlisted", "public"])
@pytest.mark.parametrize(("actor", "action", "expected"), _cases(VISIBLE))
def test_pages_visible_notebook(actor: str, action: str, expected: str, visibility: str) -> None:
    scene = _scene(actor, visibility=visibility)
    before = _state(scene)

    response = _page_action(scene, action)

    assert _page_outcome(response) == _answered(expected)
    _effect_check(scene, action, before, api=False, ok=expected == "ok")
    _read_check(response, action, expected)


@pytest.mark.parametrize("visibility", ["unlisted", "public"])
@pytest.mark.parametrize(("actor", "action", "expected"), _cases(VISIBLE))
def test_api_visible_notebook(actor: str, action: str, expected: str, visibility: str) -> None:
    scene = _scene(actor, visibility=visibility)
    before = _state(scene)
    if scene.actor is None:
        expected = "login"

    response = _api_action(scene, action)

    assert _api_outcome(response) == _answered(expected)
    _effect_check(scene, action, before, api=True, ok=expected == "ok")
    _read_check(response, action, expected)


@pytest.mark.parametrize("actor", [a for a in MATRIX if a not in ("another user", "anonymous")])
def test_the_permissions_the_api_reports_are_the_tables(actor: str) -> None:
    """What the page's script is told it may do is what the table allows."""
    scene = _scene(actor)
    if scene.link is not None:
        answer = scene.client.get(f"/api/shared/{scene.link.token}")
    else:
        answer = scene.client.get(f"/api/notebooks/{scene.nid}")

    row = dict(zip(ACTIONS, MATRIX[actor], strict=True))
    allowed = {action for action, outcome in row.items() if outcome in ("ok", "drafts")}
    assert set(answer.json()["permissions"]) == allowed
    # The page offers forking exactly when it is allowed: into drafts, or into the account.
    page = _page_action(scene, "read").content.decode()
    assert ('id="fork-to-drafts"' in page) is (row["fork"] == "drafts")
    assert ('data-testid="fork"' in page) is ("fork" in allowed)


# --- the other pages that follow the same rules ------------------------------------------


@pytest.mark.parametrize(
    ("actor", "editor", "history", "share_settings"),
    [
        ("owner", 200, 200, 200),
        ("collaborator", 200, 200, 403),
        ("another user", 404, 404, 404),
        ("anonymous", "login", "login", "login"),
    ],
)
def test_editor_history_and_share_settings_pages(
    actor: str, editor: int | str, history: int | str, share_settings: int | str
) -> None:
    scene = _scene(actor)
    for path, expected in (
        (f"/notebooks/{scene.nid}/", editor),
        (f"/notebooks/{scene.nid}/history", history),
        (f"/notebooks/{scene.nid}/share", share_settings),
    ):
        response = scene.client.get(path)
        if expected == "login":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        else:
            assert response.status_code == expected, path


def test_the_editor_sends_readers_who_may_not_write_to_the_viewer() -> None:
    scene = _scene("another user", visibility="unlisted")

    response = scene.client.get(f"/notebooks/{scene.nid}/")

    assert response.status_code == 302
    assert response["Location"] == f"/n/{scene.nid}"


def _unmasked(response: HttpResponse) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def test_a_private_notebook_looks_exactly_like_one_that_does_not_exist() -> None:
    scene = _scene("another user")
    missing = "A" * len(scene.nid)

    for path in ("/n/{}", "/notebooks/{}/", "/notebooks/{}/history", "/api/notebooks/{}"):
        hidden = scene.client.get(path.format(scene.nid))
        absent = scene.client.get(path.format(missing))
        # Pages hold a fresh CSRF token each time (the log-out form): compare all else.
        assert (hidden.status_code, _unmasked(hidden)) == (404, _unmasked(absent)), path


def test_revoked_and_expired_links_answer_410_saying_why() -> None:
    owner = user_make()
    notebook = notebook_make(owner, cells=[code(MARKER, "m")])
    revoked = link_make(notebook, role=Role.FORK)
    revoking = client_for(owner).post(
        f"/notebooks/{notebook.public_id}/share/links/{revoked.public_id}/revoke"
    )
    expired = link_make(notebook, expires_at=timezone.now() + timezone.timedelta(seconds=60))
    ShareLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    visitor = client_for(user_make())

    for link, reason in ((revoked, "revoked by the notebook's owner"), (expired, "has expired")):
        page = visitor.get(f"/s/{link.token}")
        assert page.status_code == 410
        text = html.unescape(page.content.decode())
        assert reason in text and MARKER not in text
        api = visitor.get(f"/api/shared/{link.token}")
        assert api.status_code == 410
        assert api.json()["code"] == "link_inactive" and reason in api.json()["error"]
        assert visitor.post(f"/s/{link.token}/fork").status_code == 410
        assert visitor.post(f"/api/shared/{link.token}/fork").status_code == 410
    assert revoking.status_code == 302
    assert not Notebook.objects.filter(forked_from=notebook).exists()


def test_revoking_an_edit_link_takes_its_collaborators_access_away() -> None:
    owner, collaborator = user_make(), user_make()
    notebook = notebook_make(owner, title="Team budget")
    link = collaborator_make(notebook, collaborator)
    as_collaborator = client_for(collaborator)
    assert as_collaborator.get(f"/api/notebooks/{notebook.public_id}").status_code == 200
    assert "Team budget" in as_collaborator.get("/notebooks/").content.decode()

    revoked = client_for(owner).delete(f"/api/notebooks/{notebook.public_id}/links/{link.public_id}")

    assert revoked.status_code == 200 and revoked.json()["active"] is False
    assert as_collaborator.get(f"/api/notebooks/{notebook.public_id}").status_code == 404
    assert as_collaborator.get(f"/notebooks/{notebook.public_id}/").status_code == 404
    saved = as_collaborator.post(
        f"/api/notebooks/{notebook.public_id}/revisions",
        json.dumps({"content": notebook_text(), "base_revision": 1}),
        content_type="application/json",
    )
    assert saved.status_code == 404
    assert "Team budget" not in as_collaborator.get("/notebooks/").content.decode()
    assert client_for(owner).get(f"/api/notebooks/{notebook.public_id}/collaborators").json() == []


def test_an_expired_edit_link_takes_its_collaborators_access_away() -> None:
    owner, collaborator = user_make(), user_make()
    notebook = notebook_make(owner)
    link = collaborator_make(notebook, collaborator)

    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now())

    assert client_for(collaborator).get(f"/api/notebooks/{notebook.public_id}").status_code == 404


def test_removing_a_collaborator_takes_their_access_away() -> None:
    owner, collaborator = user_make(), user_make()
    notebook = notebook_make(owner)
    collaborator_make(notebook, collaborator)

    removed = client_for(owner).post(
        f"/notebooks/{notebook.public_id}/share/collaborators/{collaborator.pk}/remove"
    )

    assert removed.status_code == 302
    assert client_for(collaborator).get(f"/api/notebooks/{notebook.public_id}").status_code == 404


def test_a_trashed_notebook_is_unreachable_through_links_and_collaboration() -> None:
    owner, collaborator = user_make(), user_make()
    notebook = notebook_make(owner, cells=[code(MARKER, "m")], visibility="public")
    collaborator_make(notebook, collaborator)
    links = [link_make(notebook, role=role) for role in Role.values]
    client_for(owner).post(f"/notebooks/{notebook.public_id}/delete")
    stranger = client_for(user_make())

    for link in links:
        page = stranger.get(f"/s/{link.token}")
        assert page.status_code == 410
        assert "This notebook was deleted by its owner." in page.content.decode()
        assert stranger.get(f"/api/shared/{link.token}").status_code == 410
        assert client_for(collaborator).post(f"/api/shared/{link.token}/join").status_code == 410
    for who in (collaborator, user_make()):
        assert client_for(who).get(f"/api/notebooks/{notebook.public_id}").status_code == 404
        assert client_for(who).get(f"/n/{notebook.public_id}").status_code == 404
        assert client_for(who).post(f"/notebooks/{notebook.public_id}/restore").status_code == 404
    assert client_for(None).get(f"/n/{notebook.public_id}").status_code == 404
    assert "Explore" in client_for(None).get("/explore").content.decode()
    assert notebook.title not in client_for(None).get("/explore").content.decode()


def test_the_owner_can_only_restore_or_delete_a_trashed_notebook() -> None:
    owner = user_make()
    notebook = notebook_make(owner)
    as_owner = client_for(owner)
    assert as_owner.delete(f"/api/notebooks/{notebook.public_id}").status_code == 204

    opened = as_owner.get(f"/api/notebooks/{notebook.public_id}")
    assert opened.status_code == 403
    assert opened.json() == {
        "error": "This notebook is in the trash: restore it first.",
        "code": "forbidden",
    }
    saved = as_owner.post(
        f"/api/notebooks/{notebook.public_id}/revisions",
        json.dumps({"content": notebook_text(), "base_revision": 1}),
        content_type="application/json",
    )
    assert saved.status_code == 403
    assert as_owner.post(f"/api/notebooks/{notebook.public_id}/links", "{}", content_type="application/json").status_code == 403

    restored = as_owner.post(f"/api/notebooks/{notebook.public_id}/restore")
    assert restored.status_code == 200 and restored.json()["trashed_at"] is None
    assert as_owner.get(f"/api/notebooks/{notebook.public_id}").status_code == 200


@pytest.mark.parametrize(
    ("visibility", "role", "show_code", "code_shown"),
    [
        ("private", Role.VIEW, False, False),
        ("private", Role.VIEW, True, True),
        ("private", Role.FORK, False, True),
        ("private", Role.EDIT, False, True),
        # Anyone with the notebook's address sees its code: a view link cannot hide it.
        ("unlisted", Role.VIEW, False, True),
        ("public", Role.VIEW, False, True),
    ],
)
def test_view_links_show_outputs_only_unless_the_code_is_shared_anyway(
    visibility: str, role: str, show_code: bool, code_shown: bool
) -> None:
    notebook = notebook_make(user_make(), visibility=visibility)
    link = link_make(notebook, role=role, show_code=show_code)

    api = client_for(None).get(f"/api/shared/{link.token}").json()
    response = client_for(None).get(f"/s/{link.token}")
    page = response.content.decode()

    assert api["show_code"] is code_shown
    assert script_json(response)["notebook"]["showCode"] is code_shown
    assert ('data-testid="toggle-code"' in page) is code_shown
    assert ("outputs only" in page) is not code_shown


def test_no_endpoint_takes_a_database_id() -> None:
    """Ids in addresses are random public ids; a row's integer id opens nothing."""
    owner = user_make()
    notebook = notebook_make(owner)
    link = link_make(notebook, role=Role.EDIT)
    as_owner = client_for(owner)
    made = as_owner.post("/account/tokens", {"name": "laptop"})
    assert made.status_code == 200
    token = owner.api_tokens.get()
    nid, lid = notebook.pk, link.pk

    for method, path in [
        ("get", f"/n/{nid}"),
        ("get", f"/notebooks/{nid}/"),
        ("get", f"/notebooks/{nid}/history"),
        ("get", f"/notebooks/{nid}/download"),
        ("get", f"/notebooks/{nid}/share"),
        ("post", f"/notebooks/{nid}/rename"),
        ("post", f"/notebooks/{nid}/delete"),
        ("post", f"/notebooks/{nid}/fork"),
        ("get", f"/api/notebooks/{nid}"),
        ("get", f"/api/notebooks/{nid}/revisions"),
        ("delete", f"/api/notebooks/{nid}"),
        ("post", f"/api/notebooks/{nid}/fork"),
        ("get", f"/api/notebooks/{nid}/links"),
        ("get", f"/s/{lid}"),
        ("get", f"/api/shared/{lid}"),
        ("post", f"/api/shared/{lid}/join"),
        ("delete", f"/api/notebooks/{notebook.public_id}/links/{lid}"),
        ("post", f"/notebooks/{notebook.public_id}/share/links/{lid}/revoke"),
        ("post", f"/account/tokens/{token.pk}/revoke"),
    ]:
        assert getattr(as_owner, method)(path).status_code == 404, (method, path)
    notebook.refresh_from_db()
    link.refresh_from_db()
    token.refresh_from_db()
    assert not notebook.is_trashed and link.revoked_at is None and token.revoked_at is None
    for public_id in (notebook.public_id, link.public_id, token.public_id):
        assert len(public_id) >= 22 and not public_id.isdigit()
    assert len(link.token) >= 32
