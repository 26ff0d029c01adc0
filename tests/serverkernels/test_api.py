"""The server kernels' JSON API: who may start, see and stop a kernel, and what they hear."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import client_for, collaborator_make, notebook_make, post_json, user_make


def ok(response: Any) -> Any:
    assert response.status_code == 200, response.content
    return response.json()

pytestmark = pytest.mark.django_db


def test_without_redis_the_api_says_server_kernels_are_off(settings: Any) -> None:
    settings.KERNELS_REDIS_URL = None
    owner = user_make()
    notebook = notebook_make(owner)
    response = client_for(owner).post(f"/api/notebooks/{notebook.public_id}/kernel")
    assert response.status_code == 503
    assert response.json()["code"] == "kernels_unavailable"
    assert "run in your browser" in response.json()["error"]


def test_a_started_kernel_waits_in_line_and_only_its_starter_sees_it(kernel_env: Any) -> None:
    owner, stranger, collaborator = user_make(), user_make(), user_make()
    notebook = notebook_make(owner)
    collaborator_make(notebook, collaborator)
    client = client_for(owner)

    started = ok(post_json(client, f"/api/notebooks/{notebook.public_id}/kernel"))
    assert started["state"] == "queued"
    assert started["position"] == 1
    assert started["workers"] == 0
    assert started["notebook"] == notebook.public_id
    again = ok(post_json(client, f"/api/notebooks/{notebook.public_id}/kernel"))
    assert again["session"] == started["session"]

    path = f"/api/kernels/{started['session']}"
    assert client.get(path).json()["state"] == "queued"
    for other in (stranger, collaborator):
        assert client_for(other).get(path).status_code == 404
        assert client_for(other).post(f"{path}/shutdown").status_code == 404
    assert client_for(None).get(path).status_code == 401
    # A stranger cannot start one on a notebook they cannot see, nor learn it exists.
    response = client_for(stranger).post(f"/api/notebooks/{notebook.public_id}/kernel")
    assert response.status_code == 404

    stopped = ok(post_json(client, f"{path}/shutdown"))
    assert stopped["state"] == "stopped" and stopped["position"] is None
    assert client.get(f"{path}/outputs").json() == {"outputs": {}}
    restarted = ok(post_json(client, f"{path}/restart"))
    assert restarted["state"] == "queued" and restarted["session"] == started["session"]


def test_with_redis_down_the_api_says_so_and_a_later_start_works(
    kernel_env: Any, settings: Any
) -> None:
    from serverkernels import conf
    from tests.real_services import free_port

    owner = user_make()
    notebook = notebook_make(owner)
    client = client_for(owner)
    working = settings.KERNELS_REDIS_URL
    settings.KERNELS_REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens
    conf.store.cache_clear()
    response = client.post(f"/api/notebooks/{notebook.public_id}/kernel")
    assert response.status_code == 503
    assert response.json()["code"] == "kernels_unavailable"
    assert "cannot be reached" in response.json()["error"]

    settings.KERNELS_REDIS_URL = working
    conf.store.cache_clear()
    started = ok(post_json(client, f"/api/notebooks/{notebook.public_id}/kernel"))
    assert started["state"] == "queued"
