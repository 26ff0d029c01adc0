"""The production layout of deploy/ on loopback, for tests and benches.

- ``postgres_server`` / ``fresh_database``: a PostgreSQL database of its own for
  one run (the machine's server on 127.0.0.1:5432, or a throw-away cluster),
  dropped afterwards;
- ``redis_server``: the machine's Redis (a database number of the caller's), or a
  throw-away one;
- ``server_env``: the environment production settings read (deploy/env.example),
  for this machine;
- ``gunicorn``: ``gunicorn --config deploy/gunicorn.conf.py`` on a free port,
  stopped by PID at the end.

``bench/http.py`` measures this layout; ``tests/deploy/test_behind_nginx.py`` puts
the real nginx of ``deploy/nginx.conf`` in front of it.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.real_services import (
    free_port,
    port_answers,
    postgres_cluster_start,
    redis_server_start,
)

REPO_ROOT = Path(__file__).resolve().parents[1]


class StackFailed(RuntimeError):
    """A server of the stack did not start; the message holds its log."""


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """The URL of a PostgreSQL server's ``postgres`` database: the machine's, or a new one."""
    if port_answers("127.0.0.1", 5432):
        yield "postgres://postgres@127.0.0.1:5432/postgres"
        return
    cluster = postgres_cluster_start()
    try:
        yield cluster.url("postgres")
    finally:
        cluster.remove()


@contextlib.contextmanager
def fresh_database(server_url: str, name: str) -> Iterator[str]:
    """A new, empty database ``name`` on that server; dropped afterwards."""
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with contextlib.suppress(Exception), psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def redis_server(database: int, url: str | None = None) -> Iterator[str]:
    """``url`` when given, else database ``database`` of the machine's Redis, else a
    throw-away redis-server."""
    if url:
        yield url
        return
    if port_answers("127.0.0.1", 6379):
        yield f"redis://127.0.0.1:6379/{database}"
        return
    url, stop = redis_server_start()
    try:
        yield url
    finally:
        stop()


def server_env(
    *,
    settings_module: str,
    database_url: str,
    redis_url: str,
    s3_endpoint: str,
    s3_bucket: str,
    workdir: Path,
    dist: Path,
    app_origin: str = "https://127.0.0.1",
    usercontent_origin: str = "https://localhost",
) -> dict[str, str]:
    """The environment of production settings (deploy/env.example) for this machine."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("S3_", "DATABASE_", "GUNICORN_", "PLAYGROUND_TEST_", "DJANGO_"))
        and name != "WEB_CONCURRENCY"
    }
    static_root = workdir / "static"
    static_root.mkdir(exist_ok=True)
    env.update(
        DJANGO_SETTINGS_MODULE=settings_module,
        PYTHONPATH=str(REPO_ROOT),
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=app_origin.split("://", 1)[1],
        APP_ORIGIN=app_origin,
        USERCONTENT_ORIGIN=usercontent_origin,
        DATABASE_URL=database_url,
        DATABASE_CONN_MAX_AGE="60",
        REDIS_URL=redis_url,
        S3_BUCKET=s3_bucket,
        S3_PREFIX="notebooks",
        S3_ENDPOINT_URL=s3_endpoint,
        S3_ACCESS_KEY_ID="test",
        S3_SECRET_ACCESS_KEY="test",
        S3_REGION="us-east-1",
        EMAIL_HOST="127.0.0.1",
        STATIC_ROOT=str(static_root),
        FRONTEND_DIST_DIR=str(dist),
    )
    return env


@dataclass
class Server:
    label: str
    port: int
    processes: list[subprocess.Popen[bytes]]
    log: Path
    # The Host header its requests need (one of ALLOWED_HOSTS).
    host: str = "127.0.0.1"

    def alive(self) -> bool:
        return all(process.poll() is None for process in self.processes)

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def _healthy(server: Server) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        # As nginx would send it: production settings redirect plain HTTP otherwise.
        headers = {"X-Forwarded-Proto": "https", "Host": server.host}
        connection.request("GET", "/healthz", headers=headers)
        return connection.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def wait_until_serving(server: Server, timeout: float = 60.0) -> None:
    """Return once ``/healthz`` answers 200; raise ``StackFailed`` with the log if it never does."""
    deadline = time.monotonic() + timeout
    while not _healthy(server):
        if not server.alive():
            raise StackFailed(f"{server.label} exited before serving:\n{server.log_tail()}")
        if time.monotonic() > deadline:
            raise StackFailed(f"{server.label} did not answer /healthz:\n{server.log_tail()}")
        time.sleep(0.1)


def migrate(env: dict[str, str]) -> None:
    """``manage.py migrate`` with that environment, in a process of its own."""
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    if result.returncode != 0:
        raise StackFailed(f"migrate failed:\n{result.stdout}{result.stderr}")


@contextlib.contextmanager
def gunicorn(env: dict[str, str], workdir: Path, workers: int = 2) -> Iterator[Server]:
    """``gunicorn --config deploy/gunicorn.conf.py`` on a free loopback port."""
    port = free_port()
    log = workdir / "gunicorn.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py",
             "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
            cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    host = env["APP_ORIGIN"].split("://", 1)[1]
    server = Server(f"gunicorn -w {workers} (sync)", port, [process], log, host)
    try:
        wait_until_serving(server)
        yield server
    finally:
        server.stop()
