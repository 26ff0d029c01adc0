"""moto's S3 server on a fixed loopback port that a test can really stop and start again.

``ThreadedMotoServer.stop()`` leaves boto3's kept-alive connections answered, so a
"stopped" server may still store objects. This one speaks HTTP/1.0 (one request per
connection) and closes its socket on ``stop()``: storage is then truly unreachable.
Used by the storage tests (tests/storage, tests/faults) and the browser tests;
``storages_on`` points the notebooks storage at one.

moto takes any signature. For a bucket registered with ``check_signatures``, the
server checks each address signed in its query string (SigV4, as a browser's
bucket mount sends them) the way S3 does, with botocore's signer, the reference
implementation: an unknown key, a wrong session token, an expired address or a
signature that is not the key's own is refused with S3's error document, and an
unsigned request is refused unless the bucket is registered as public for reading.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock
from urllib.parse import parse_qsl, quote, unquote
from xml.sax.saxutils import escape

from botocore.auth import S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
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


@dataclass
class CheckedBucket:
    """Who may use a bucket whose signatures are checked: key id -> (secret, session token)."""

    keys: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    public_read: bool = False


#: Buckets whose requests are checked, by name (other buckets take anything, as moto does).
CHECKED_BUCKETS: dict[str, CheckedBucket] = {}


def check_signatures(bucket: str, keys: dict[str, tuple[str, str | None]], *,
                     public_read: bool = False) -> None:
    """From now on, ``bucket`` takes only addresses signed with one of ``keys``
    (and unsigned reads when ``public_read``)."""
    CHECKED_BUCKETS[bucket] = CheckedBucket(dict(keys), public_read)


def make_public(endpoint: str, bucket: str) -> None:
    """Anyone may list and read ``bucket``: its policy says so (as on S3), and the
    checks let unsigned reads through (writes stay refused)."""
    statement = {"Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:ListBucket"],
                 "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]}
    s3_client(endpoint).put_bucket_policy(
        Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
    checked = CHECKED_BUCKETS.get(bucket)
    check_signatures(bucket, checked.keys if checked else {}, public_read=True)


def _canonical(text: str) -> str:
    """S3's encoding of a query key or value in the canonical request (RFC 3986)."""
    return quote(unquote(text), safe="-_.~")


def _signature_problem(environ: dict[str, Any], checked: CheckedBucket) -> tuple[str, str] | None:
    """S3's error code and message for this request, or None when S3 would take it."""
    method = environ["REQUEST_METHOD"]
    pairs = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    query = dict(pairs)
    if "X-Amz-Algorithm" not in query:
        if "HTTP_AUTHORIZATION" in environ:
            return None  # boto3 in the test itself, with its own keys
        if checked.public_read and method in ("GET", "HEAD"):
            return None
        return "AccessDenied", "Access Denied"
    try:
        key_id, day, region, service, _ = query["X-Amz-Credential"].split("/")
        signed_at = datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        expires = int(query["X-Amz-Expires"])
        signed_headers = query["X-Amz-SignedHeaders"].split(";")
        given = query["X-Amz-Signature"]
    except (KeyError, ValueError):
        return "AuthorizationQueryParametersError", "Query-string authentication requires X-Amz-*"
    if key_id not in checked.keys:
        return "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."
    secret, token = checked.keys[key_id]
    if token is not None and query.get("X-Amz-Security-Token") != token:
        return "InvalidToken", "The provided token is malformed or otherwise invalid."
    if datetime.now(UTC) > signed_at + timedelta(seconds=expires):
        return "AccessDenied", "Request has expired"
    # The canonical request as S3 makes it: the path and query decoded and encoded
    # again, the query sorted without the signature; botocore hashes and signs it.
    raw_path = environ.get("RAW_URI", environ.get("REQUEST_URI", "")).split("?", 1)[0]
    path = quote(unquote(raw_path), safe="/~")
    canonical_query = "&".join(sorted(f"{_canonical(k)}={_canonical(v)}" for k, v in pairs
                                      if k != "X-Amz-Signature"))
    headers = {name: environ.get("HTTP_" + name.upper().replace("-", "_"), "")
               for name in signed_headers}
    request = AWSRequest(method=method, url=f"http://{environ['HTTP_HOST']}{path}?{canonical_query}",
                         headers=headers)
    request.context["timestamp"] = query["X-Amz-Date"]
    auth = S3SigV4QueryAuth(Credentials(key_id, secret, token), service, region, expires=expires)
    string_to_sign = auth.string_to_sign(request, auth.canonical_request(request))
    if not day == query["X-Amz-Date"][:8] or auth.signature(string_to_sign, request) != given:
        return ("SignatureDoesNotMatch", "The request signature we calculated does not match "
                "the signature you provided. Check your key and signing method.")
    return None


class _SignaturesChecked:
    """WSGI middleware: S3's checks of query-signed addresses, for buckets in CHECKED_BUCKETS."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        bucket_name = environ.get("PATH_INFO", "/").lstrip("/").split("/", 1)[0]
        checked = CHECKED_BUCKETS.get(bucket_name)
        if checked is None or environ.get("REQUEST_METHOD") == "OPTIONS":
            return self.app(environ, start_response)
        problem = _signature_problem(environ, checked)
        if problem is None:
            return self.app(environ, start_response)
        code, message = problem
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
                f"<Message>{escape(message)}</Message></Error>").encode()
        headers = [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))]
        if origin := environ.get("HTTP_ORIGIN"):
            headers += _cors_headers(bucket_name, origin)
        start_response("403 Forbidden", headers)
        return [body]


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
            "127.0.0.1", self.port,
            _SignaturesChecked(_CorsOnEveryAnswer(DomainDispatcherApplication(_backend_app_like_s3))),
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
