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

from botocore.config import Config
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
            "127.0.0.1", self.port, DomainDispatcherApplication(create_backend_app),
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
