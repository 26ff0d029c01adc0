"""The database restarts under a running service: requests after it succeed, during it 503.

A throw-away PostgreSQL cluster (Debian's binaries, tests/real_services.py) and the
real service as a subprocess: gunicorn with deploy/gunicorn.conf.py and production
settings, whose workers keep their database connection between requests
(``DATABASE_CONN_MAX_AGE``) and check it before reuse (``CONN_HEALTH_CHECKS``). One
worker, so the request after the restart comes to the worker whose connection the
restart cut.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.real_services import PostgresCluster, free_port, postgres_cluster_start

pytestmark = pytest.mark.subprocess

REPO_ROOT = Path(__file__).resolve().parents[2]
DOWN_MESSAGE = "The service cannot reach its database just now; nothing was changed."

SEED = """
import json
from django.contrib.auth import get_user_model
from accounts.services import api_token_create
from notebooks.services import notebook_create
from sharing.services import notebook_visibility_set
owner = get_user_model().objects.create_user(
    username="restart", email="restart@example.com", password="a-long-password-1")
notebook = notebook_create(owner=owner, title="Survives restarts")
notebook_visibility_set(notebook=notebook, visibility="public")
print(json.dumps({"token": api_token_create(user=owner, name="t").secret,
                  "id": notebook.public_id}))
"""


@dataclass
class Service:
    port: int
    process: subprocess.Popen[bytes]
    log: Path
    token: str
    notebook_id: str

    def get(self, path: str, *, token: bool = False) -> tuple[int, dict[str, str], str]:
        headers = {"X-Forwarded-Proto": "https"}
        if token:
            headers["Authorization"] = f"Bearer {self.token}"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read().decode()
        finally:
            connection.close()


def _service_env(database_url: str, tmp_path: Path) -> dict[str, str]:
    # Redis and S3 are the session's (tests/real_services.py set these variables).
    inherited = {
        name: value for name, value in os.environ.items()
        if not name.startswith(("DATABASE_", "DJANGO_", "GUNICORN_")) and name != "WEB_CONCURRENCY"
    }
    return {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "playground.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "APP_ORIGIN": "https://127.0.0.1",
        "USERCONTENT_ORIGIN": "https://localhost",
        "DATABASE_URL": database_url,
        "DATABASE_CONN_MAX_AGE": "600",
        "REDIS_URL": os.environ["PLAYGROUND_TEST_REDIS_URL"],
        "EMAIL_HOST": "127.0.0.1",
        "STATIC_ROOT": str(tmp_path),
        "WEB_CONCURRENCY": "1",
    }


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO_ROOT, env=env,
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def cluster() -> Iterator[PostgresCluster]:
    cluster = postgres_cluster_start()
    try:
        cluster.create_database("playground")
        yield cluster
    finally:
        cluster.remove()


@pytest.fixture(scope="module")
def service(cluster: PostgresCluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    tmp_path = tmp_path_factory.mktemp("restart")
    env = _service_env(cluster.url("playground"), tmp_path)
    _manage(env, "migrate", "--noinput", "-v", "0")
    seeded = json.loads(_manage(env, "shell", "-c", SEED).strip().splitlines()[-1])
    port = free_port()
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py",
             "--bind", f"127.0.0.1:{port}"],
            cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    service = Service(port, process, log, seeded["token"], seeded["id"])
    deadline = time.monotonic() + 30
    while True:
        assert process.poll() is None, log.read_text()
        try:
            if service.get("/healthz")[0] == 200:
                break
        except OSError:
            pass
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.1)
    yield service
    process.terminate()
    process.wait(timeout=15)


def _assert_lists_the_notebook(service: Service) -> None:
    status, _, body = service.get("/api/notebooks", token=True)
    assert status == 200, body
    assert [item["id"] for item in json.loads(body)] == [service.notebook_id]
    status, _, body = service.get("/explore")
    assert status == 200, body
    assert "Survives restarts" in body


def test_requests_after_a_database_restart_succeed(
    service: Service, cluster: PostgresCluster
) -> None:
    _assert_lists_the_notebook(service)  # the worker now holds an open connection

    cluster.restart(mode="fast")  # cuts every connection

    _assert_lists_the_notebook(service)
    assert service.process.poll() is None


def test_while_the_database_is_down_requests_get_503_saying_so(
    service: Service, cluster: PostgresCluster
) -> None:
    _assert_lists_the_notebook(service)
    cluster.stop(mode="fast")
    try:
        status, headers, body = service.get("/api/notebooks", token=True)
        assert status == 503, body
        assert json.loads(body) == {"error": DOWN_MESSAGE + " Try again in a moment.",
                                    "code": "database_unavailable"}
        assert headers["Retry-After"] == "5"

        status, headers, body = service.get("/explore")
        assert status == 503, body
        assert headers["Content-Type"].startswith("text/html")
        assert DOWN_MESSAGE in body
        assert "Traceback" not in body and "OperationalError" not in body
    finally:
        cluster.start()

    _assert_lists_the_notebook(service)
    # The operator sees why in the log.
    assert "database unavailable during GET /api/notebooks" in service.log.read_text()
