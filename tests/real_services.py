"""A pytest plugin that gives the test suite real PostgreSQL, Redis and S3 servers.

Loaded with ``-p tests.real_services`` (pyproject.toml), before pytest-django reads the
settings, so it can set the variables ``playground/settings/test.py`` reads:

- PostgreSQL: the machine's server on 127.0.0.1:5432 when it answers; otherwise a
  throw-away cluster started from Debian's binaries (``/usr/lib/postgresql/*/bin``)
  on a free port, removed at the end.
- Redis: 127.0.0.1:6379 when it answers; otherwise ``redis-server`` on a free port.
- S3: moto's standalone server (``ThreadedMotoServer``) on a free loopback port,
  reached by boto3 over HTTP with signature v4, and a bucket for the run.

Nothing is mocked and nothing is skipped: when a server can be neither found nor
started, the run stops with a message saying what to install. Under Pyodide (the
runtime tests) the plugin does nothing.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

S3_BUCKET = "playground-tests"
S3_CREDENTIALS = {"S3_ACCESS_KEY_ID": "test", "S3_SECRET_ACCESS_KEY": "test"}

_stoppers: list[Callable[[], None]] = []


class ServiceUnavailable(RuntimeError):
    """A service the tests need could neither be found nor started."""


def port_answers(host: str, port: int, timeout: float = 0.5) -> bool:
    """Whether something accepts TCP connections on ``host:port``."""
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=timeout):
        return True
    return False


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_port(port: int, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not port_answers("127.0.0.1", port):
        if time.monotonic() > deadline:
            raise ServiceUnavailable(f"{what} did not accept connections on port {port}.")
        time.sleep(0.1)


@dataclass
class PostgresCluster:
    """A throw-away PostgreSQL cluster from Debian's binaries, on 127.0.0.1:``port``.

    As root the cluster runs as the ``postgres`` user (initdb refuses root). Its data
    directory is a temporary folder that ``remove`` deletes.
    """

    bindir: Path
    datadir: Path
    port: int
    as_user: list[str]

    def url(self, database: str = "test") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(
            [*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(self.datadir), *args],
            check=True, capture_output=True, timeout=60,
        )

    def _server_args(self) -> list[str]:
        # The log file keeps the server's output off pg_ctl's pipes (which would stay open).
        return [
            "-w", "-l", str(self.datadir / "log"),
            "-o", f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.datadir} -c fsync=off",
        ]

    def start(self) -> None:
        self._pg_ctl(*self._server_args(), "start")

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("-w", "-m", mode, "stop")

    def restart(self, mode: str = "fast") -> None:
        """``pg_ctl restart``: every open connection is cut, then the server is back."""
        self._pg_ctl(*self._server_args(), "-m", mode, "restart")

    def create_database(self, name: str) -> None:
        subprocess.run(
            [str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
             "-U", "postgres", name],
            check=True, capture_output=True, timeout=60,
        )

    def remove(self) -> None:
        """Stop the server (immediately) and delete its data directory."""
        with contextlib.suppress(subprocess.SubprocessError):
            self.stop(mode="immediate")
        shutil.rmtree(self.datadir, ignore_errors=True)


def postgres_cluster_start() -> PostgresCluster:
    """initdb and start a new cluster on a free port (call ``remove`` when done)."""
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not binaries:
        raise ServiceUnavailable(
            "No PostgreSQL answers on 127.0.0.1:5432 and none is installed to start: "
            "install it (apt-get install postgresql) or start one there (trust auth, db `test`)."
        )
    bindir = Path(binaries[-1]).parent
    datadir = Path(tempfile.mkdtemp(prefix="playground-pg-"))
    # initdb refuses to run as root: run the cluster as the postgres user then.
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_user:
        shutil.chown(datadir, "postgres")
    cluster = PostgresCluster(bindir=bindir, datadir=datadir, port=free_port(), as_user=as_user)
    try:
        subprocess.run(
            [*as_user, str(bindir / "initdb"), "-D", str(datadir), "-U", "postgres",
             "--auth=trust", "-E", "UTF8"],
            check=True, capture_output=True, timeout=120,
        )
        cluster.start()
    except BaseException:
        cluster.remove()
        raise
    return cluster


def _start_postgres() -> str:
    """Start a throw-away PostgreSQL cluster with a database ``test``; return its URL."""
    cluster = postgres_cluster_start()
    _stoppers.append(cluster.remove)
    cluster.create_database("test")
    return cluster.url("test")


def redis_server_start() -> tuple[str, Callable[[], None]]:
    """Start a throw-away redis-server on a free port; return its URL and a stop function."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise ServiceUnavailable(
            "No Redis answers on 127.0.0.1:6379 and redis-server is not installed: "
            "install it (apt-get install redis-server) or start one there."
        )
    port = free_port()
    process = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, "redis-server")
    except ServiceUnavailable:
        process.terminate()
        raise
    return f"redis://127.0.0.1:{port}", process.terminate


def _start_redis() -> str:
    """Start a throw-away redis-server; return its URL."""
    url, stop = redis_server_start()
    _stoppers.append(stop)
    return url


def start_moto_server() -> tuple[str, Callable[[], None]]:
    """Start moto's S3 server on a free loopback port; return its URL and a stop function."""
    import logging

    from moto.server import ThreadedMotoServer

    # Werkzeug logs every request of the S3 server at INFO; test output needs none of it.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    _wait_for_port(port, "moto's S3 server")
    return f"http://127.0.0.1:{port}", server.stop


def s3_client(endpoint_url: str):
    """A boto3 S3 client for a moto endpoint (signature v4, path-style addresses)."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )


def _start_s3() -> str:
    endpoint, stop = start_moto_server()
    _stoppers.append(stop)
    s3_client(endpoint).create_bucket(Bucket=S3_BUCKET)
    return endpoint


def _set_up_services() -> None:
    if "PLAYGROUND_TEST_DATABASE_URL" not in os.environ:
        os.environ["PLAYGROUND_TEST_DATABASE_URL"] = (
            "postgres://postgres@127.0.0.1:5432/test"
            if port_answers("127.0.0.1", 5432)
            else _start_postgres()
        )
    if "PLAYGROUND_TEST_REDIS_URL" not in os.environ:
        # Database 9 of the machine's Redis, so that flushing it in tests touches no other.
        os.environ["PLAYGROUND_TEST_REDIS_URL"] = (
            "redis://127.0.0.1:6379/9" if port_answers("127.0.0.1", 6379) else _start_redis()
        )
    if "S3_ENDPOINT_URL" not in os.environ:
        os.environ.update(
            S3_ENDPOINT_URL=_start_s3(), S3_BUCKET=S3_BUCKET, S3_PREFIX="notebooks",
            **S3_CREDENTIALS,
        )


def _stop_services() -> None:
    while _stoppers:
        with contextlib.suppress(Exception):
            _stoppers.pop()()


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    if sys.platform == "emscripten":
        return
    try:
        _set_up_services()
    except (ServiceUnavailable, subprocess.CalledProcessError) as problem:
        _stop_services()
        detail = getattr(problem, "stderr", b"") or b""
        raise pytest.UsageError(f"{problem} {detail.decode(errors='replace')}") from problem
    atexit.register(_stop_services)
