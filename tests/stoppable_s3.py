"""moto's S3 server on a fixed loopback port that a test can really stop and start again.

``ThreadedMotoServer.stop()`` leaves boto3's kept-alive connections answered, so a
"stopped" server may still store objects. This one speaks HTTP/1.0 (one request per
connection) and closes its socket on ``stop()``: storage is then truly unreachable.
Used by the storage tests (tests/storage, tests/faults) and the browser tests;
``storages_on`` points the notebooks storage at one.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any
from unittest import mock

from botocore.config import Config
from moto.moto_server import werkzeug_app
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server

from tests.real_services import s3_client


class _OneRequestPerConnection(MotoRequestHandler):
    # HTTP/1.0 closes each connection after its response, so once the server stops no
    # kept-alive connection of boto3's can still reach a handler thread of it.
    protocol_version = "HTTP/1.0"


class _CorsOnEveryAnswer:
    """WSGI middleware: the bucket's CORS rules on every answer to a browser, as S3 does.

    moto applies a bucket's CORS rules to preflights and to object GET and PUT, but
    not to ListObjectsV2 or DeleteObject; real S3 applies them to every answer. For a
    request with an ``Origin`` whose answer has no ``Access-Control-Allow-Origin``,
    this adds the headers of the bucket's first rule that allows that origin (and
    nothing when none does, so a bucket without CORS stays closed to browsers).
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        origin = environ.get("HTTP_ORIGIN")
        bucket_name = environ.get("PATH_INFO", "/").lstrip("/").split("/", 1)[0]
        if not origin or environ.get("REQUEST_METHOD") == "OPTIONS" or not bucket_name:
            return self.app(environ, start_response)

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if not any(name.lower() == "access-control-allow-origin" for name, _ in headers):
                headers = [*headers, *_cors_headers(bucket_name, origin)]
            return start_response(status, headers, exc_info)

        return self.app(environ, start)


def _cors_headers(bucket_name: str, origin: str) -> list[tuple[str, str]]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends
    from moto.s3.utils import cors_matches_origin

    bucket = s3_backends[DEFAULT_ACCOUNT_ID]["aws"].buckets.get(bucket_name)
    for rule in bucket.cors if bucket is not None else []:
        if rule.allowed_origins and cors_matches_origin(origin, rule.allowed_origins):
            headers = [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
            if rule.exposed_headers:
                exposed = rule.exposed_headers
                headers.append(("Access-Control-Expose-Headers", ", ".join(exposed) if isinstance(exposed, list) else exposed))
            return headers
    return []


def _backend_app_like_s3(service: str) -> Any:
    """moto's app for one service without its blanket CORS (flask-cors allowing every
    origin): as with real S3, a browser gets in only through the bucket's own CORS
    rules (``put_bucket_cors``), which moto applies to preflights and answers."""
    with mock.patch.object(werkzeug_app, "DISABLE_GLOBAL_CORS", True):
        return create_backend_app(service)


@dataclass
class StoppableS3:
    """moto's S3 on a fixed loopback port that can be stopped and started again.

    moto keeps buckets and objects in this process's memory, not in the server, so
    a restarted server serves the same objects (the test checks that it does).
    """

    port: int
    bucket: str
    server: BaseWSGIServer | None = None
    thread: threading.Thread | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.server = make_server(
            "127.0.0.1", self.port, _CorsOnEveryAnswer(DomainDispatcherApplication(_backend_app_like_s3)),
            threaded=True, request_handler=_OneRequestPerConnection,
        )
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        """Stop serving and close the listening socket: connections are refused."""
        assert self.server is not None and self.thread is not None
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
        self.server = None

    def keys(self) -> set[str]:
        listing = s3_client(self.endpoint).list_objects_v2(Bucket=self.bucket)
        return {item["Key"] for item in listing.get("Contents", [])}


def storages_on(storages: dict[str, Any], s3: StoppableS3, *, prefix: str) -> dict[str, Any]:
    """``STORAGES`` with the notebooks storage moved to ``s3``'s bucket, failing quickly.

    One attempt, 1 s to connect and 2 s to read: a test of storage being down gets its
    answer at once. Assign the result to ``settings.STORAGES`` (a new value, so Django's
    setting_changed handler drops the storage objects it built, and restores them after).
    """
    notebooks = storages["notebooks"]
    assert notebooks["BACKEND"] == "storages.backends.s3.S3Storage"
    return {
        **storages,
        "notebooks": {
            **notebooks,
            "OPTIONS": {
                **notebooks["OPTIONS"],
                "bucket_name": s3.bucket,
                "location": prefix,
                "endpoint_url": s3.endpoint,
                "client_config": Config(
                    connect_timeout=1,
                    read_timeout=2,
                    retries={"max_attempts": 1, "mode": "standard"},
                    signature_version="s3v4",
                    s3={"addressing_style": "path"},
                ),
            },
        },
    }
