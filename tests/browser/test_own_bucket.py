"""A bucket of the user's own mounted in /play (docs/folders.md, "Your own bucket"):
Python lists and reads it through os and open, what Python writes or deletes there
reaches the bucket, and its keys never go to the service.

The bucket is on the suite's moto server (``object_storage``), which, like real S3,
lets a browser in only through the bucket's CORS rules, and, for the buckets made
here, checks every address the page signs as S3 does (``check_signatures`` in
tests/stoppable_s3.py, with botocore's signer): a listing, a read, a write or a
delete signed wrongly is refused, so these tests show the signatures are right.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from playwright.sync_api import BrowserContext, Frame, Page, Request, expect

from tests.browser.accounts_flow import framed_notebook, new_notebook, sign_up_and_verify
from tests.browser.notebook_page import NotebookPage, exact_text
from tests.browser.service import RunningService
from tests.real_services import s3_client
from tests.stoppable_s3 import StoppableS3, check_signatures, make_public

SCORES = b"name,score\nada,3\nbob,4\n"


def cors_rules(origin: str) -> dict[str, object]:
    """The CORS configuration docs/folders.md gives for a bucket, for ``origin``."""
    return {
        "CORSRules": [
            {
                "AllowedOrigins": [origin],
                "AllowedMethods": ["GET", "PUT", "DELETE", "HEAD"],
                "AllowedHeaders": ["Authorization", "Content-Type", "x-amz-*"],
                "ExposeHeaders": ["ETag"],
                "MaxAgeSeconds": 3000,
            }
        ]
    }


def bucket_with_cors(object_storage: StoppableS3, origin: str | None) -> str:
    """A new bucket with data/scores.csv, data/notes/todo.txt and elsewhere.txt; CORS for ``origin``."""
    bucket = f"own-{secrets.token_hex(4)}"
    s3 = s3_client(object_storage.endpoint)
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="data/scores.csv", Body=SCORES)
    s3.put_object(Bucket=bucket, Key="data/notes/todo.txt", Body=b"water the plants")
    s3.put_object(Bucket=bucket, Key="elsewhere.txt", Body=b"not under the prefix")
    if origin is not None:
        s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=cors_rules(origin))
    return bucket


def new_keys(bucket: str, *, session_token: str | None = None) -> tuple[str, str]:
    """An access key id and secret of this test's own, the only ones ``bucket`` takes
    (with ``session_token``, a temporary key that must come with it)."""
    key_id, secret = f"AKIAOWN{secrets.token_hex(6).upper()}", secrets.token_urlsafe(30)
    check_signatures(bucket, {key_id: (secret, session_token)})
    return key_id, secret


def assert_keys_never_sent(requests: list[Request], service: RunningService, key_id: str, secret: str) -> None:
    to_service = [r for r in requests if r.url.startswith((service.base_url, service.usercontent_url))]
    assert to_service, "the recorder saw the page's own requests"
    for request in to_service:
        seen = request.url + repr(request.all_headers()) + repr(request.post_data_buffer or b"")
        assert key_id not in seen, request.url
        assert secret not in seen, request.url


def mount(
    root: Page | Frame, endpoint: str, bucket: str, key_id: str, secret: str, *, remember: bool = False,
    session_token: str = "",
) -> None:
    root.get_by_test_id("bucket-open").click()
    dialog = root.get_by_test_id("bucket-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_test_id("bucket-endpoint").fill(endpoint)
    dialog.get_by_test_id("bucket-region").fill("us-east-1")
    dialog.get_by_test_id("bucket-name").fill(bucket)
    dialog.get_by_test_id("bucket-prefix").fill("data")
    dialog.get_by_test_id("bucket-access-key").fill(key_id)
    dialog.get_by_test_id("bucket-secret").fill(secret)
    dialog.get_by_test_id("bucket-session-token").fill(session_token)
    expect(dialog.get_by_test_id("bucket-mount-path")).to_have_value("/mnt/data")
    dialog.get_by_test_id("bucket-remember").set_checked(remember)
    dialog.get_by_test_id("bucket-mount").click()


def test_a_mounted_bucket_is_listed_read_and_written_and_its_keys_never_reach_the_service(
    new_context: Callable[..., BrowserContext], service: RunningService, object_storage: StoppableS3
) -> None:
    bucket = bucket_with_cors(object_storage, None)
    key_id, secret = new_keys(bucket)
    s3 = s3_client(object_storage.endpoint)

    context = new_context()
    requests: list[Request] = []
    context.on("request", lambda request: requests.append(request))
    page = context.new_page()
    notebook = NotebookPage(page).open("/play")

    # Without a CORS rule for the playground's origin the browser may not read the bucket.
    mount(page, object_storage.endpoint, bucket, key_id, secret)
    notice = page.get_by_test_id("bucket-notice")
    expect(notice).to_contain_text("could not be reached")
    expect(notice).to_contain_text("CORS")

    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=cors_rules(service.usercontent_url))
    page.get_by_test_id("bucket-mount").click()
    expect(notice).to_have_text(f"Mounted {bucket}/data/ at /mnt/data (2 files).")
    page.get_by_test_id("bucket-close").click()
    expect(page.get_by_test_id("bucket-open")).to_have_text("Bucket: /mnt/data")

    reader = notebook.add_code_cell(
        "import csv, os\n"
        "with open('/mnt/data/scores.csv') as f:\n"
        "    total = sum(int(row['score']) for row in csv.DictReader(f))\n"
        "print(sorted(os.listdir('/mnt/data')), os.listdir('/mnt/data/notes'), "
        "os.path.getsize('/mnt/data/scores.csv'), total)"
    )
    notebook.run_with_shift_enter(reader)
    expect(reader.get_by_test_id("cell-stdout")).to_have_text(
        exact_text("['notes', 'scores.csv'] ['todo.txt'] 23 7")
    )

    # What Python writes or deletes under the mount reaches the bucket after the run.
    writer = notebook.add_code_cell(
        "from pathlib import Path\n"
        "Path('/mnt/data/out').mkdir(exist_ok=True)\n"
        "Path('/mnt/data/out/result.txt').write_text(f'total={total}')\n"
        "os.remove('/mnt/data/notes/todo.txt')"
    )
    notebook.run_with_shift_enter(writer)
    expect(notice).to_have_text("Bucket: saved out/result.txt; deleted notes/todo.txt.")
    assert s3.get_object(Bucket=bucket, Key="data/out/result.txt")["Body"].read() == b"total=7"
    listed = {item["Key"] for item in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    assert listed == {"data/scores.csv", "data/out/result.txt", "elsewhere.txt"}

    # The keys were typed in this page only: never in a request to the service's sites.
    assert_keys_never_sent(requests, service, key_id, secret)
    to_bucket = [r for r in requests if r.url.startswith(object_storage.endpoint)]
    assert {r.method for r in to_bucket} >= {"GET", "PUT", "DELETE"}
    # The bucket's requests name the key id (X-Amz-Credential): the recorder would see it.
    assert any(key_id in r.url for r in to_bucket)
    # The secret is never sent anywhere, not even to the bucket: only signatures made with it.
    for request in to_bucket:
        assert secret not in request.url + repr(request.all_headers())
    # Not remembered unless asked: nothing of the keys is kept in this browser.
    assert page.evaluate("localStorage.getItem('playground:bucket')") is None


def test_remembered_settings_are_filled_in_but_not_mounted_and_forget_removes_them(
    page: Page, service: RunningService, object_storage: StoppableS3
) -> None:
    bucket = bucket_with_cors(object_storage, service.usercontent_url)
    key_id, secret = new_keys(bucket)
    notebook = NotebookPage(page).open("/play")
    mount(page, object_storage.endpoint, bucket, key_id, secret, remember=True)
    expect(page.get_by_test_id("bucket-notice")).to_contain_text("Mounted")
    assert key_id in page.evaluate("localStorage.getItem('playground:bucket')")

    # The next visit has them filled in; the bucket is mounted only by a click.
    notebook.open("/play")
    expect(page.get_by_test_id("bucket-open")).to_have_text("Bucket")
    check = notebook.add_code_cell("import os\nprint(os.path.exists('/mnt/data'))")
    notebook.run_with_shift_enter(check)
    expect(check.get_by_test_id("cell-stdout")).to_have_text(exact_text("False"))
    page.get_by_test_id("bucket-open").click()
    expect(page.get_by_test_id("bucket-access-key")).to_have_value(key_id)
    expect(page.get_by_test_id("bucket-remember")).to_be_checked()

    # Forget: nothing of it is left in this browser.
    page.get_by_test_id("bucket-forget").click()
    expect(page.get_by_test_id("bucket-status")).to_contain_text("Forgot the bucket")
    expect(page.get_by_test_id("bucket-access-key")).to_have_value("")
    expect(page.get_by_test_id("bucket-secret")).to_have_value("")
    assert page.evaluate("localStorage.getItem('playground:bucket')") is None


def test_the_editors_framed_playground_mounts_a_bucket_and_keeps_nothing_of_it(
    new_context: Callable[..., BrowserContext], service: RunningService, object_storage: StoppableS3
) -> None:
    bucket = bucket_with_cors(object_storage, service.usercontent_url)
    key_id, secret = new_keys(bucket)
    context = new_context(app=True)
    requests: list[Request] = []
    context.on("request", lambda request: requests.append(request))
    owner = context.new_page()
    sign_up_and_verify(owner, service)
    notebook = new_notebook(owner, "My bucket")

    # Beside the notebook's own folder. Chromium gives the framed (third-party)
    # playground no storage, so the dialog offers no "Remember" there.
    frame = notebook.root
    mount(frame, object_storage.endpoint, bucket, key_id, secret)
    expect(frame.get_by_test_id("bucket-remember")).to_be_disabled()
    expect(frame.get_by_test_id("bucket-notice")).to_have_text(
        f"Mounted {bucket}/data/ at /mnt/data (2 files)."
    )
    frame.get_by_test_id("bucket-close").click()
    reader = notebook.add_code_cell(
        "import os\nprint(open('/mnt/data/scores.csv').read().splitlines()[1], os.listdir())"
    )
    notebook.run_with_shift_enter(reader)
    expect(reader.get_by_test_id("cell-stdout")).to_have_text(exact_text("ada,3 []"))

    # A reload keeps nothing: not mounted, nothing filled in.
    owner.reload()
    again = framed_notebook(owner)
    expect(again.root.get_by_test_id("bucket-open")).to_have_text("Bucket")
    again.root.get_by_test_id("bucket-open").click()
    expect(again.root.get_by_test_id("bucket-access-key")).to_have_value("")
    assert_keys_never_sent(requests, service, key_id, secret)


def test_a_wrong_secret_is_refused_and_temporary_keys_and_public_buckets_mount(
    page: Page, service: RunningService, object_storage: StoppableS3
) -> None:
    bucket = bucket_with_cors(object_storage, service.usercontent_url)
    token = secrets.token_urlsafe(40)
    key_id, secret = new_keys(bucket, session_token=token)
    notebook = NotebookPage(page).open("/play")
    notice = page.get_by_test_id("bucket-notice")

    # The bucket checks what the page signed: a wrong secret, or a temporary key
    # without its session token, is refused with S3's own reason, and nothing is mounted.
    mount(page, object_storage.endpoint, bucket, key_id, secret + "x", session_token=token)
    expect(notice).to_contain_text("The bucket refused the listing (HTTP 403, SignatureDoesNotMatch")
    mount_button = page.get_by_test_id("bucket-mount")
    page.get_by_test_id("bucket-secret").fill(secret)
    page.get_by_test_id("bucket-session-token").fill("")
    mount_button.click()
    expect(notice).to_contain_text("The bucket refused the listing (HTTP 403, InvalidToken")
    expect(page.get_by_test_id("bucket-open")).to_have_text("Bucket")

    # The temporary key with its token: listed, read and written, every address checked.
    page.get_by_test_id("bucket-session-token").fill(token)
    mount_button.click()
    expect(notice).to_have_text(f"Mounted {bucket}/data/ at /mnt/data (2 files).")
    page.get_by_test_id("bucket-close").click()
    cell = notebook.add_code_cell(
        "print(open('/mnt/data/scores.csv').read().splitlines()[2])\n"
        "open('/mnt/data/new.txt', 'w').write('from a temporary key')"
    )
    notebook.run_with_shift_enter(cell)
    expect(cell.get_by_test_id("cell-stdout")).to_have_text(exact_text("bob,4"))
    expect(notice).to_have_text("Bucket: saved new.txt.")
    s3 = s3_client(object_storage.endpoint)
    assert s3.get_object(Bucket=bucket, Key="data/new.txt")["Body"].read() == b"from a temporary key"

    # A public bucket, without keys: read unsigned; what Python writes stays in the page.
    public = bucket_with_cors(object_storage, service.usercontent_url)
    make_public(object_storage.endpoint, public)
    mount(page, object_storage.endpoint, public, "", "")
    expect(notice).to_have_text(f"Mounted {public}/data/ at /mnt/data (2 files).")
    page.get_by_test_id("bucket-close").click()
    reader = notebook.add_code_cell(
        "print(open('/mnt/data/notes/todo.txt').read())\n"
        "open('/mnt/data/mine.txt', 'w').write('kept here')"
    )
    notebook.run_with_shift_enter(reader)
    expect(reader.get_by_test_id("cell-stdout")).to_have_text(exact_text("water the plants"))
    expect(notice).to_have_text(
        "Not saved to the bucket: mine.txt. It is mounted without keys (read-only); "
        "Python's changes stay in this page."
    )
    listed = {item["Key"] for item in s3.list_objects_v2(Bucket=public)["Contents"]}
    assert "data/mine.txt" not in listed
