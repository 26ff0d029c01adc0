"""The test S3 server checks query-signed addresses as S3 does (tests/stoppable_s3.py),
so the browser's bucket tests (tests/browser/test_own_bucket.py) show that the page's
signatures are right: addresses presigned by botocore, the reference signer, are
taken, and any change to what was signed is refused with S3's error code."""

from __future__ import annotations

import secrets
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from unittest import mock

import boto3
import pytest
from botocore.config import Config

from tests.real_services import free_port, s3_client
from tests.stoppable_s3 import CHECKED_BUCKETS, StoppableS3, check_signatures, make_public

KEY = "data/a b+c ü.csv"
BODY = b"name,score\nada,3\n"


@pytest.fixture
def checked() -> Iterator[tuple[StoppableS3, str]]:
    storage = StoppableS3(port=free_port(), bucket=f"checked-{secrets.token_hex(4)}")
    storage.start()
    s3_client(storage.endpoint).create_bucket(Bucket=storage.bucket)
    s3_client(storage.endpoint).put_object(Bucket=storage.bucket, Key=KEY, Body=BODY)
    check_signatures(storage.bucket, {"AKIAGOOD": ("right-secret", None),
                                      "ASIATEMP": ("temp-secret", "the-token")})
    yield storage, storage.bucket
    CHECKED_BUCKETS.pop(storage.bucket, None)
    storage.stop()


def presigned(endpoint: str, key_id: str, secret: str, method: str, bucket: str, key: str,
              token: str | None = None) -> str:
    client = boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=key_id,
        aws_secret_access_key=secret, aws_session_token=token,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )
    return client.generate_presigned_url(method, Params={"Bucket": bucket, "Key": key},
                                         ExpiresIn=600)


def fetch(url: str, method: str = "GET", body: bytes | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, method=method, data=body)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_an_address_signed_with_the_key_is_taken(checked: tuple[StoppableS3, str]) -> None:
    storage, bucket = checked
    url = presigned(storage.endpoint, "AKIAGOOD", "right-secret", "get_object", bucket, KEY)
    assert fetch(url) == (200, BODY)


def test_a_temporary_key_needs_its_own_session_token(checked: tuple[StoppableS3, str]) -> None:
    storage, bucket = checked
    good = presigned(storage.endpoint, "ASIATEMP", "temp-secret", "get_object", bucket, KEY,
                     token="the-token")
    assert fetch(good) == (200, BODY)
    wrong = presigned(storage.endpoint, "ASIATEMP", "temp-secret", "get_object", bucket, KEY,
                      token="another-token")
    status, body = fetch(wrong)
    assert (status, b"<Code>InvalidToken</Code>" in body) == (403, True)


@pytest.mark.parametrize("change", ["secret", "key", "method", "signature"])
def test_any_change_to_what_was_signed_is_refused(checked: tuple[StoppableS3, str],
                                                  change: str) -> None:
    storage, bucket = checked
    secret = "wrong-secret" if change == "secret" else "right-secret"
    key = "data/other.csv" if change == "key" else KEY
    url = presigned(storage.endpoint, "AKIAGOOD", secret, "get_object", bucket, key)
    if change == "key":
        url = url.replace("other.csv", "a%20b%2Bc%20%C3%BC.csv")
    if change == "signature":
        url = url[:-1] + ("0" if url[-1] != "0" else "1")
    method = "DELETE" if change == "method" else "GET"
    status, body = fetch(url, method)
    assert (status, b"<Code>SignatureDoesNotMatch</Code>" in body) == (403, True)
    assert s3_client(storage.endpoint).get_object(Bucket=bucket, Key=KEY)["Body"].read() == BODY


def test_an_unknown_key_and_an_expired_address_are_refused(
        checked: tuple[StoppableS3, str]) -> None:
    storage, bucket = checked
    status, body = fetch(presigned(storage.endpoint, "AKIAOTHER", "right-secret", "get_object",
                                   bucket, KEY))
    assert (status, b"<Code>InvalidAccessKeyId</Code>" in body) == (403, True)
    two_hours_ago = datetime.now(UTC).replace(tzinfo=None) - timedelta(hours=2)
    with mock.patch("botocore.auth.get_current_datetime", return_value=two_hours_ago):
        old = presigned(storage.endpoint, "AKIAGOOD", "right-secret", "get_object", bucket, KEY)
    status, body = fetch(old)
    assert (status, b"Request has expired" in body) == (403, True)


def test_unsigned_requests_need_a_public_bucket_and_only_read(
        checked: tuple[StoppableS3, str]) -> None:
    storage, bucket = checked
    url = f"{storage.endpoint}/{bucket}/data/a%20b%2Bc%20%C3%BC.csv"
    status, body = fetch(url)
    assert (status, b"<Code>AccessDenied</Code>" in body) == (403, True)
    make_public(storage.endpoint, bucket)
    assert fetch(url) == (200, BODY)
    status, _ = fetch(url, "PUT", b"changed")
    assert status == 403
    assert s3_client(storage.endpoint).get_object(Bucket=bucket, Key=KEY)["Body"].read() == BODY
