"""A bucket of the user's own mounted in /play (docs/folders.md, "Your own bucket"):
Python lists and reads it through os and open, what Python writes or deletes there
reaches the bucket, and its keys never go to the service.

The bucket is on the suite's moto server (``object_storage``), which, like real S3,
lets a browser in only through the bucket's CORS rules (tests/stoppable_s3.py). moto
does not check signatures, so this test shows where requests go and what they carry,
not that the signatures are right; aws4fetch's own tests cover that.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, Request, expect

from tests.browser.notebook_page import NotebookPage, exact_text
from tests.browser.service import RunningService
from tests.real_services import s3_client
from tests.stoppable_s3 import StoppableS3

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


def mount(page: Page, endpoint: str, bucket: str, key_id: str, secret: str) -> None:
    page.get_by_test_id("bucket-open").click()
    dialog = page.get_by_test_id("bucket-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_test_id("bucket-endpoint").fill(endpoint)
    dialog.get_by_test_id("bucket-region").fill("us-east-1")
    dialog.get_by_test_id("bucket-name").fill(bucket)
    dialog.get_by_test_id("bucket-prefix").fill("data")
    dialog.get_by_test_id("bucket-access-key").fill(key_id)
    dialog.get_by_test_id("bucket-secret").fill(secret)
    expect(dialog.get_by_test_id("bucket-mount-path")).to_have_value("/mnt/data")
    dialog.get_by_test_id("bucket-mount").click()


def test_a_mounted_bucket_is_listed_read_and_written_and_its_keys_never_reach_the_service(
    new_context: Callable[..., BrowserContext], service: RunningService, object_storage: StoppableS3
) -> None:
    bucket = f"own-{secrets.token_hex(4)}"
    key_id = f"AKIAOWN{secrets.token_hex(6).upper()}"
    secret = secrets.token_urlsafe(30)
    s3 = s3_client(object_storage.endpoint)
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="data/scores.csv", Body=SCORES)
    s3.put_object(Bucket=bucket, Key="data/notes/todo.txt", Body=b"water the plants")
    s3.put_object(Bucket=bucket, Key="elsewhere.txt", Body=b"not under the prefix")

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
    service_origins = (service.base_url, service.usercontent_url)
    to_service = [r for r in requests if r.url.startswith(service_origins)]
    to_bucket = [r for r in requests if r.url.startswith(object_storage.endpoint)]
    assert to_service, "the recorder saw the page's own requests"
    assert {r.method for r in to_bucket} >= {"GET", "PUT", "DELETE"}
    # The bucket's requests name the key id (X-Amz-Credential): the recorder would see it.
    assert any(key_id in r.url for r in to_bucket)
    for request in to_service:
        seen = request.url + repr(request.all_headers()) + repr(request.post_data_buffer or b"")
        assert key_id not in seen, request.url
        assert secret not in seen, request.url
    # The secret is never sent anywhere, not even to the bucket: only signatures made with it.
    for request in to_bucket:
        assert secret not in request.url + repr(request.all_headers())
    # Not remembered unless asked: nothing of the keys is kept in this browser.
    assert page.evaluate("localStorage.getItem('playground:bucket')") is None
