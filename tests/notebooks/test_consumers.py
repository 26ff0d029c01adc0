"""The editor's websocket (``/ws/notebooks/<id>/``) through the real ASGI stack and Redis layer.

Connections go through ``playground.asgi.application`` (origin check, session auth,
routing) exactly as daphne serves them. Saves are committed from another thread, as
another server process would: the event crosses the Redis channel layer.

The consumer reads the database from its own threads, so the data must be
committed: these tests use ``transactional_db``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import connections
from django.utils import timezone

from accounts.services import user_public_name_set
from notebooks import services
from notebooks.consumers import CLOSE_ACCESS_ENDED, CLOSE_NOT_FOUND
from notebooks.models import Notebook
from playground.asgi import application
from sharing import services as sharing_services
from sharing.models import ShareLink
from tests.factories import (
    client_for,
    code,
    collaborator_make,
    notebook_make,
    notebook_text,
    user_make,
)

APP = b"http://testserver"
TIMEOUT = 5
# What channels' OriginValidator's refusal looks like to a client (a close without a code).
ORIGIN_REFUSED = 1000

pytestmark = pytest.mark.usefixtures("fresh_channel_layer")


@dataclass
class Party:
    notebook: Notebook
    other: Notebook
    owner: AbstractUser
    collaborator: AbstractUser
    collaborator_link: ShareLink  # the edit link they joined through
    cookies: dict[str, str]  # who -> "sessionid=..."


def _session_cookie(user: AbstractUser) -> str:
    client = client_for(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def party(transactional_db: None) -> Iterator[Party]:
    owner, collaborator, stranger = user_make("owner@example.com"), user_make(), user_make()
    notebook = notebook_make(owner, title="Live")
    link = collaborator_make(notebook, collaborator)
    yield Party(
        notebook=notebook,
        other=notebook_make(owner, title="Another one"),
        owner=owner,
        collaborator=collaborator,
        collaborator_link=link,
        cookies={
            "owner": _session_cookie(owner),
            "collaborator": _session_cookie(collaborator),
            "stranger": _session_cookie(stranger),
            "anonymous": "",
        },
    )


def _socket(notebook: Notebook, cookie: str, origin: bytes | None = APP) -> WebsocketCommunicator:
    headers = [] if origin is None else [(b"origin", origin)]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    return WebsocketCommunicator(
        application, f"/ws/notebooks/{notebook.public_id}/", headers=headers
    )


async def _hang_up(socket: WebsocketCommunicator) -> None:
    """What the server does when a refused client goes away: the consumer ends.

    Until then its thread keeps the database connection it checked access with.
    """
    await socket.send_input({"type": "websocket.disconnect", "code": 1000})
    await socket.wait(timeout=TIMEOUT)


def _save_elsewhere(notebook_id: int, value: int) -> None:
    """Another thread (own database connection) saves and commits a revision."""
    try:
        notebook = Notebook.objects.select_related("current_revision", "owner").get(pk=notebook_id)
        services.revision_create(
            notebook=notebook,
            content=notebook_text(code(f"x = {value}", "a")),
            author=notebook.owner,
            base_revision=None,
        )
    finally:
        connections.close_all()


@pytest.mark.anyio
@pytest.mark.parametrize("who", ["owner", "collaborator"])
async def test_a_reader_hears_of_a_revision_committed_elsewhere(party: Party, who: str) -> None:
    socket = _socket(party.notebook, party.cookies[who])
    connected, _ = await socket.connect(timeout=TIMEOUT)
    assert connected

    await asyncio.to_thread(_save_elsewhere, party.notebook.pk, 2)
    message = await socket.receive_json_from(timeout=TIMEOUT)

    assert message["type"] == "revision"
    assert message["revision"] == 2
    assert message["author"] == "owner@example.com"
    assert message["created_at"]
    assert message["text_changed"] is True
    assert set(message) == {"type", "revision", "author", "created_at", "text_changed"}
    await socket.disconnect()


def _file_elsewhere(notebook_id: int) -> None:
    """Another thread uploads a file: a revision that changes only the folder."""
    import io

    from folders.services import Incoming, files_put

    try:
        notebook = Notebook.objects.select_related("current_revision", "owner").get(pk=notebook_id)
        files_put(notebook=notebook, author=notebook.owner,
                  incoming=[Incoming("data.csv", io.BytesIO(b"a,b\n"))])
    finally:
        connections.close_all()


@pytest.mark.anyio
async def test_a_revision_that_changes_only_the_folder_says_so(party: Party) -> None:
    socket = _socket(party.notebook, party.cookies["collaborator"])
    assert (await socket.connect(timeout=TIMEOUT))[0]
    await asyncio.to_thread(_file_elsewhere, party.notebook.pk)
    message = await socket.receive_json_from(timeout=TIMEOUT)
    assert (message["revision"], message["text_changed"]) == (2, False)
    await socket.disconnect()


@pytest.mark.anyio
async def test_saves_of_other_notebooks_are_not_heard(party: Party) -> None:
    # Revisions 2 and 3 of this notebook before anyone listens, so the sentinel save
    # below (revision 4) cannot be mistaken for the other notebook's revision 2.
    for value in (2, 3):
        await asyncio.to_thread(_save_elsewhere, party.notebook.pk, value)
    socket = _socket(party.notebook, party.cookies["owner"])
    assert (await socket.connect(timeout=TIMEOUT))[0]

    await asyncio.to_thread(_save_elsewhere, party.other.pk, 2)
    # The sentinel: a save of this notebook, committed after the other one. Events reach
    # a listener in the order they were sent, so had the other save been passed on, it
    # would arrive first (no waiting for "nothing within N seconds").
    await asyncio.to_thread(_save_elsewhere, party.notebook.pk, 4)

    message = await socket.receive_json_from(timeout=TIMEOUT)
    assert message["revision"] == 4, message
    await socket.disconnect()


@pytest.mark.anyio
@pytest.mark.parametrize("who", ["stranger", "anonymous"])
async def test_people_who_may_not_read_it_are_refused(party: Party, who: str) -> None:
    socket = _socket(party.notebook, party.cookies[who])

    connected, close_code = await socket.connect(timeout=TIMEOUT)

    assert not connected
    assert close_code == CLOSE_NOT_FOUND
    await _hang_up(socket)


@pytest.mark.anyio
@pytest.mark.parametrize("visibility", ["unlisted", "public"])
async def test_anonymous_visitors_of_a_shared_notebook_are_refused(
    party: Party, visibility: str
) -> None:
    """Anyone may open an unlisted or public notebook's page, but its live channel (and
    the savers' names on it) is for people signed in: the socket closes with 4404."""
    await asyncio.to_thread(
        _committed,
        lambda: sharing_services.notebook_visibility_set(
            notebook=party.notebook, visibility=visibility
        ),
    )
    socket = _socket(party.notebook, party.cookies["anonymous"])

    connected, close_code = await socket.connect(timeout=TIMEOUT)

    assert (connected, close_code) == (False, CLOSE_NOT_FOUND)
    await _hang_up(socket)
    # The same notebook, the same socket route: a signed-in visitor is let in.
    signed_in = _socket(party.notebook, party.cookies["stranger"])
    assert (await signed_in.connect(timeout=TIMEOUT))[0]
    await signed_in.disconnect()


@pytest.mark.anyio
async def test_an_unknown_notebook_is_refused(party: Party) -> None:
    ghost = Notebook(public_id="A" * 22)
    socket = _socket(ghost, party.cookies["owner"])

    connected, close_code = await socket.connect(timeout=TIMEOUT)

    assert (connected, close_code) == (False, CLOSE_NOT_FOUND)
    await _hang_up(socket)


@pytest.mark.anyio
@pytest.mark.parametrize(
    "origin",
    [
        b"http://usercontent.testserver",  # where notebook code runs
        b"http://testserver:8001",  # another port of the app's host
        b"https://testserver",  # another scheme
        b"http://evil.example",
        None,  # no Origin header at all
    ],
)
async def test_only_the_apps_own_origin_may_connect(party: Party, origin: bytes | None) -> None:
    socket = _socket(party.notebook, party.cookies["owner"], origin=origin)

    connected, close_code = await socket.connect(timeout=TIMEOUT)

    # Refused by channels' OriginValidator, before our consumer: it closes without a code
    # (1000 here), never with the consumer's 4404 or 4403, which would mean the owner's
    # session had been read and refused for another reason.
    assert (connected, close_code) == (False, ORIGIN_REFUSED)
    await _hang_up(socket)


@pytest.mark.anyio
async def test_the_apps_own_origin_connects_with_the_same_session(party: Party) -> None:
    """The counterpart of the refusals above: only the origin differed there."""
    socket = _socket(party.notebook, party.cookies["owner"], origin=APP)

    assert (await socket.connect(timeout=TIMEOUT))[0]
    await socket.disconnect()


def _committed(change: Callable[[], object]) -> None:
    """Run ``change`` in another thread with its own database connection, as a request would."""
    try:
        change()
    finally:
        connections.close_all()


async def _closed_with(socket: WebsocketCommunicator) -> int:
    """The close code of the next thing the server sends, which must be a close."""
    output = await socket.receive_output(timeout=TIMEOUT)
    assert output["type"] == "websocket.close", output
    return int(output["code"])


@pytest.mark.anyio
@pytest.mark.parametrize("visibility", ["unlisted", "public"])
async def test_a_reader_who_does_not_edit_hears_the_savers_name_not_their_address(
    party: Party, visibility: str
) -> None:
    await asyncio.to_thread(
        _committed,
        lambda: (
            user_public_name_set(user=party.owner, name="Ada L."),
            sharing_services.notebook_visibility_set(
                notebook=party.notebook, visibility=visibility
            ),
        ),
    )
    socket = _socket(party.notebook, party.cookies["stranger"])
    assert (await socket.connect(timeout=TIMEOUT))[0]

    await asyncio.to_thread(_save_elsewhere, party.notebook.pk, 2)
    message = await socket.receive_json_from(timeout=TIMEOUT)

    assert message["author"] == "Ada L."
    assert "owner@example.com" not in str(message)
    await socket.disconnect()


@pytest.mark.anyio
@pytest.mark.parametrize("ending", ["link revoked", "collaborator removed"])
async def test_a_collaborator_who_loses_access_is_disconnected_at_once(
    party: Party, ending: str
) -> None:
    socket = _socket(party.notebook, party.cookies["collaborator"])
    assert (await socket.connect(timeout=TIMEOUT))[0]

    if ending == "link revoked":
        change = lambda: sharing_services.share_link_revoke(link=party.collaborator_link)  # noqa: E731
    else:
        change = lambda: sharing_services.collaborator_remove(  # noqa: E731
            notebook=party.notebook, user_id=party.collaborator.pk
        )
    await asyncio.to_thread(_committed, change)

    # Closed by the server: nothing more can reach them.
    assert await _closed_with(socket) == CLOSE_ACCESS_ENDED
    await _hang_up(socket)


@pytest.mark.anyio
async def test_a_visitor_of_a_notebook_made_private_is_disconnected(party: Party) -> None:
    await asyncio.to_thread(
        _committed,
        lambda: sharing_services.notebook_visibility_set(
            notebook=party.notebook, visibility="public"
        ),
    )
    socket = _socket(party.notebook, party.cookies["stranger"])
    assert (await socket.connect(timeout=TIMEOUT))[0]

    await asyncio.to_thread(
        _committed,
        lambda: sharing_services.notebook_visibility_set(
            notebook=party.notebook, visibility="private"
        ),
    )

    assert await _closed_with(socket) == CLOSE_ACCESS_ENDED
    await _hang_up(socket)


@pytest.mark.anyio
async def test_access_that_ended_without_a_notice_is_checked_before_a_save_is_passed_on(
    party: Party,
) -> None:
    """An edit link that simply expired sends no event: the next save finds it out."""
    socket = _socket(party.notebook, party.cookies["collaborator"])
    assert (await socket.connect(timeout=TIMEOUT))[0]
    await asyncio.to_thread(
        _committed,
        lambda: ShareLink.objects.filter(pk=party.collaborator_link.pk).update(
            expires_at=timezone.now()
        ),
    )

    await asyncio.to_thread(_save_elsewhere, party.notebook.pk, 2)

    assert await _closed_with(socket) == CLOSE_ACCESS_ENDED
    await _hang_up(socket)


@pytest.mark.anyio
@pytest.mark.parametrize("ending", ["trashed", "purged"])
async def test_a_collaborator_of_a_notebook_trashed_or_purged_is_disconnected_at_once(
    party: Party, ending: str
) -> None:
    socket = _socket(party.notebook, party.cookies["collaborator"])
    assert (await socket.connect(timeout=TIMEOUT))[0]

    if ending == "trashed":
        change = lambda: services.notebook_trash(notebook=party.notebook)  # noqa: E731
    else:
        change = lambda: services.notebook_purge(notebook=party.notebook)  # noqa: E731
    await asyncio.to_thread(_committed, change)

    assert await _closed_with(socket) == CLOSE_ACCESS_ENDED
    await _hang_up(socket)
