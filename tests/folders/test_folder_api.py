"""Notebook folders through the API, against the run's real S3 bucket (moto's server).

What a person would notice: the files they upload are listed and readable from the
playground's site; a save of the text never conflicts with a file change; restoring a
revision brings back its data, a fork has the files, a share link opens with them;
refusals (a bad name, a file over the limit, a full account, storage down) say why
and leave the folder, the revision and the bucket as they were.
"""

from __future__ import annotations

import hashlib
import io
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django import Settings

from folders.links import file_url
from folders.services import Incoming, files_put
from notebooks import services
from notebooks.models import FolderBlob, Notebook, StorageUsage
from sharing import services as sharing_services
from sharing.models import Role
from tests.django_fixtures import Bucket
from tests.factories import (
    client_for,
    code,
    collaborator_make,
    link_make,
    markdown,
    notebook_make,
    notebook_text,
    post_json,
    user_make,
)
from tests.stoppable_s3 import StoppableS3

pytestmark = pytest.mark.django_db

CSV = b"city,people\nOslo,709000\nBergen,291000\n"


def upload(client: Client, notebook: Notebook, *files: tuple[str, bytes], folder: str = "") -> Any:
    data: dict[str, Any] = {"file": [SimpleUploadedFile(name, body) for name, body in files]}
    if folder:
        data["folder"] = folder
    return client.post(f"/api/notebooks/{notebook.public_id}/files", data)


def put(client: Client, notebook: Notebook, path: str, body: bytes) -> Any:
    return client.put(f"/api/notebooks/{notebook.public_id}/files/{path}", body,
                      content_type="application/octet-stream")


def listing(client: Client, notebook: Notebook, **query: Any) -> dict[str, Any]:
    answer = client.get(f"/api/notebooks/{notebook.public_id}/files", query)
    assert answer.status_code == 200, answer.content
    return dict(answer.json())


def fetch(url: str) -> Any:
    """GET a file's address as the playground frame would: on the user-content site."""
    origin = "http://usercontent.testserver"
    assert url.startswith(origin + "/files/")
    return Client(HTTP_HOST="usercontent.testserver").get(url[len(origin):])


def body_of(url: str) -> bytes:
    answer = fetch(url)
    assert answer.status_code == 200, answer.content[:300]
    return b"".join(answer.streaming_content)


def by_path(folder: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["path"]: f for f in folder["files"]}


def save_text(client: Client, notebook: Notebook, base: int, text: str) -> Any:
    return post_json(client, f"/api/notebooks/{notebook.public_id}/revisions",
                     {"content": text, "base_revision": base})


def text(n: int) -> str:
    return notebook_text(code(f"x = {n}", "x"))


def test_uploaded_files_are_listed_and_the_playground_site_serves_their_bytes(
    bucket: Bucket,
) -> None:
    owner = user_make()
    notebook = notebook_make(owner)
    client = client_for(owner)

    answer = upload(client, notebook, ("data.csv", CSV), ("helpers.py", b"def f():\n    return 1\n"))
    assert answer.status_code == 201, answer.content
    folder = answer.json()
    assert folder["revision"] == 2 and folder["created"] is True
    files = by_path(folder)
    assert sorted(files) == ["data.csv", "helpers.py"]
    assert files["data.csv"]["size"] == len(CSV)
    assert files["data.csv"]["sha256"] == hashlib.sha256(CSV).hexdigest()
    assert listing(client, notebook) == {**folder, "created": False}

    served = fetch(files["data.csv"]["url"])
    assert b"".join(served.streaming_content) == CSV
    # Inert data that the browser may keep by address, never a page that runs.
    assert served["Content-Type"] == "application/octet-stream"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Security-Policy"].startswith("sandbox")
    assert "immutable" in served["Cache-Control"]
    assert not served.cookies

    # The bytes are in the bucket, under the notebook, once each.
    keys = bucket.keys(notebook)
    blobs = FolderBlob.objects.filter(notebook=notebook)
    assert {b.storage_key for b in blobs} <= keys
    assert {bucket.read(b.storage_key) for b in blobs} == {CSV, b"def f():\n    return 1\n"}
    # ... and counted in the owner's storage.
    revision_bytes = sum(dict(notebook.revisions.values_list("storage_key", "size")).values())
    assert StorageUsage.objects.get(user=owner).bytes_used == revision_bytes + sum(
        b.size for b in blobs)


def test_the_same_bytes_under_two_names_are_stored_and_counted_once(bucket: Bucket) -> None:
    owner = user_make()
    notebook = notebook_make(owner)
    client = client_for(owner)
    before = StorageUsage.objects.get(user=owner).bytes_used
    upload(client, notebook, ("a.csv", CSV), ("b.csv", CSV))
    put(client, notebook, "copies/c.csv", CSV)
    assert FolderBlob.objects.filter(notebook=notebook).count() == 1
    assert StorageUsage.objects.get(user=owner).bytes_used == before + len(CSV)
    assert sorted(by_path(listing(client, notebook))) == ["a.csv", "b.csv", "copies/c.csv"]
    assert sum(1 for key in bucket.keys(notebook) if "/files/" in key) == 1


def test_a_text_save_never_conflicts_with_a_file_change_but_still_with_a_text_change() -> None:
    owner = user_make()
    notebook = notebook_make(owner)
    client = client_for(owner)
    base = notebook.current_revision.number
    assert put(client, notebook, "data.csv", CSV).status_code == 201

    # The editor still names the revision it loaded: only a file changed since.
    saved = save_text(client, notebook, base, text(1))
    assert saved.status_code == 201, saved.content
    number = saved.json()["revision"]["number"]
    # The save kept the folder as it is now.
    assert sorted(by_path(listing(client, notebook))) == ["data.csv"]
    assert listing(client, notebook)["revision"] == number

    # Another tab still on `base` changed the text: that is a conflict, as before.
    stale = save_text(client, notebook, base, text(2))
    assert stale.status_code == 409
    assert stale.json()["current_revision"] == number


def test_restoring_a_revision_brings_back_the_data_it_had() -> None:
    owner = user_make()
    notebook = notebook_make(owner)
    client = client_for(owner)
    first = put(client, notebook, "data.csv", CSV).json()["revision"]
    put(client, notebook, "data.csv", b"city,people\n")
    put(client, notebook, "extra.txt", b"new")

    old = listing(client, notebook, revision=first)
    assert sorted(by_path(old)) == ["data.csv"]
    assert body_of(by_path(old)["data.csv"]["url"]) == CSV

    restored = post_json(client, f"/api/notebooks/{notebook.public_id}/revisions/{first}/restore")
    assert restored.status_code == 201
    now = listing(client, notebook)
    assert sorted(by_path(now)) == ["data.csv"]
    assert body_of(by_path(now)["data.csv"]["url"]) == CSV


def test_a_fork_has_the_files_and_keeps_them_when_the_original_is_deleted(bucket: Bucket) -> None:
    owner, other = user_make(), user_make()
    notebook = notebook_make(owner, visibility="public")
    upload(client_for(owner), notebook, ("data.csv", CSV), folder="inputs")
    forked = post_json(client_for(other), f"/api/notebooks/{notebook.public_id}/fork")
    assert forked.status_code == 201
    fork = Notebook.objects.get(public_id=forked.json()["id"])
    assert fork.current_revision.number == 1  # the fork's first revision has the folder

    services.notebook_purge(notebook=notebook)
    assert bucket.keys(notebook) == set()
    files = by_path(listing(client_for(other), fork))
    assert body_of(files["inputs/data.csv"]["url"]) == CSV
    # The copy is counted in the fork's owner's storage.
    assert StorageUsage.objects.get(user=other).bytes_used >= len(CSV)


def test_purging_a_notebook_removes_its_files_and_gives_the_storage_back(bucket: Bucket) -> None:
    owner = user_make()
    notebook = notebook_make(owner)
    client = client_for(owner)
    upload(client, notebook, ("data.csv", CSV))
    put(client, notebook, "more.bin", bytes(range(256)) * 10)
    save_text(client, notebook, notebook.current_revision.number, text(3))
    url = by_path(listing(client, notebook))["data.csv"]["url"]

    services.notebook_purge(notebook=notebook)
    assert bucket.keys(notebook) == set()
    assert StorageUsage.objects.get(user=owner).bytes_used == 0
    assert fetch(url).status_code == 404


def test_share_links_and_visitors_read_the_folder_and_only_editors_change_it() -> None:
    owner, stranger = user_make(), user_make()
    notebook = notebook_make(owner)
    put(client_for(owner), notebook, "data.csv", CSV)
    link = link_make(notebook, role=Role.VIEW)

    shared = Client().get(f"/api/shared/{link.token}/files")
    assert shared.status_code == 200
    assert body_of(by_path(shared.json())["data.csv"]["url"]) == CSV

    outsider = client_for(stranger)
    assert outsider.get(f"/api/notebooks/{notebook.public_id}/files").status_code == 404
    assert put(outsider, notebook, "x.txt", b"x").status_code == 404
    public = notebook_make(owner, visibility="public")
    assert put(outsider, public, "x.txt", b"x").status_code == 403
    assert listing(outsider, public)["files"] == []
    # A visitor may read the current folder, not older revisions'.
    put(client_for(owner), public, "x.txt", b"x")
    assert sorted(by_path(listing(outsider, public))) == ["x.txt"]
    older = outsider.get(f"/api/notebooks/{public.public_id}/files", {"revision": 1})
    assert older.status_code == 403
    # Signed out, as a public notebook's page is read: the same folder, no more.
    assert sorted(by_path(listing(Client(), public))) == ["x.txt"]
    assert Client().get(f"/api/notebooks/{notebook.public_id}/files").status_code == 404
    assert Client().get(f"/api/notebooks/{public.public_id}/files",
                        {"revision": 1}).status_code == 403

    # A revoked link's folder is gone with it.
    sharing_services.share_link_revoke(link=link)
    assert Client().get(f"/api/shared/{link.token}/files").status_code == 410


def test_download_redirects_to_the_playground_site_as_an_attachment() -> None:
    owner = user_make()
    notebook = notebook_make(owner)
    client = client_for(owner)
    put(client, notebook, "reports/q1.csv", CSV)
    answer = client.get(f"/api/notebooks/{notebook.public_id}/files/reports/q1.csv")
    assert answer.status_code == 302
    location = answer["Location"]
    assert location.startswith("http://usercontent.testserver/files/")
    served = fetch(location)
    assert served["Content-Disposition"].startswith("attachment")
    assert 'filename="q1.csv"' in served["Content-Disposition"]
    assert b"".join(served.streaming_content) == CSV
    missing = client.get(f"/api/notebooks/{notebook.public_id}/files/nothing.csv")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_rename_and_delete_move_whole_folders() -> None:
    owner = user_make()
    notebook = notebook_make(owner)
    client = client_for(owner)
    upload(client, notebook, ("a.csv", b"a"), ("b.csv", b"b"), folder="raw")
    put(client, notebook, "keep.txt", b"k")
    path = f"/api/notebooks/{notebook.public_id}/files/rename"

    moved = post_json(client, path, {"from": "raw", "to": "data/raw"})
    assert moved.status_code == 200, moved.content
    assert sorted(by_path(moved.json())) == ["data/raw/a.csv", "data/raw/b.csv", "keep.txt"]
    taken = post_json(client, path, {"from": "keep.txt", "to": "data/raw/a.csv"})
    assert taken.status_code == 400 and "already exists" in taken.json()["error"]
    file_as_folder = put(client, notebook, "keep.txt/inner.csv", b"x")
    assert file_as_folder.status_code == 400
    assert "'keep.txt' is a file" in file_as_folder.json()["error"]
    inside = post_json(client, path, {"from": "data", "to": "data/deeper"})
    assert inside.status_code == 400 and inside.json()["code"] == "invalid_path"

    gone = client.delete(f"/api/notebooks/{notebook.public_id}/files/data")
    assert gone.status_code == 200
    assert sorted(by_path(gone.json())) == ["keep.txt"]
    assert client.delete(f"/api/notebooks/{notebook.public_id}/files/data").status_code == 404


@pytest.mark.parametrize(
    ("path", "code"),
    [("..", "invalid_path"), ("a/../../b", "invalid_path"), ("a%5Cb", "invalid_path"),
     ("a%00b", "bad_request"), ("%2Fetc%2Fpasswd", "invalid_path")],
)
def test_bad_names_are_refused_and_change_nothing(path: str, code: str) -> None:
    owner = user_make()
    notebook = notebook_make(owner)
    client = client_for(owner)
    before = notebook.current_revision.number
    answer = put(client, notebook, path, b"x")
    assert answer.status_code == 400, answer.content
    assert answer.json()["code"] == code
    assert listing(client, notebook) == {"revision": before, "created": False, "files": []}


def test_a_file_over_the_limit_is_refused_and_leaves_nothing_behind(
    settings: Settings, bucket: Bucket
) -> None:
    settings.FOLDER_FILE_MAX_BYTES = 1000
    owner = user_make()
    notebook = notebook_make(owner)
    client = client_for(owner)
    before = set(bucket.keys(notebook))

    answer = upload(client, notebook, ("small.csv", b"ok"), ("big.bin", b"x" * 1001))
    assert answer.status_code == 413
    assert "big.bin" in answer.json()["error"] and "Nothing was changed" in answer.json()["error"]
    assert put(client, notebook, "big.bin", b"x" * 1001).status_code == 413
    assert listing(client, notebook)["files"] == []
    assert set(bucket.keys(notebook)) == before


def test_a_request_larger_than_an_upload_may_be_is_refused_before_it_is_read(
    settings: Settings,
) -> None:
    settings.FOLDER_UPLOAD_MAX_BYTES = 5000
    owner = user_make()
    notebook = notebook_make(owner)
    answer = put(client_for(owner), notebook, "big.bin", b"x" * 6000)
    assert answer.status_code == 413
    assert "Upload fewer files" in answer.json()["error"]


def test_the_folder_file_count_and_the_account_storage_are_limits(
    settings: Settings, bucket: Bucket
) -> None:
    settings.FOLDER_FILES_MAX = 3
    owner = user_make()
    notebook = notebook_make(owner)
    client = client_for(owner)
    upload(client, notebook, ("1", b"1"), ("2", b"2"))
    many = upload(client, notebook, ("3", b"3"), ("4", b"4"))
    assert many.status_code == 403 and many.json()["code"] == "quota"
    assert "3 files" in many.json()["error"]
    assert sorted(by_path(listing(client, notebook))) == ["1", "2"]

    used = StorageUsage.objects.get(user=owner).bytes_used
    settings.STORAGE_PER_USER_BYTES = used + 10
    keys = set(bucket.keys(notebook))
    full = put(client, notebook, "3", b"y" * 11)
    assert full.status_code == 403 and full.json()["code"] == "quota"
    assert set(bucket.keys(notebook)) == keys  # the refused file's object was removed
    assert StorageUsage.objects.get(user=owner).bytes_used == used
    # Exactly up to the limit is allowed.
    assert put(client, notebook, "3", b"y" * 10).status_code == 201


def test_storage_down_during_an_upload_says_try_again_and_changes_nothing(
    stoppable_storage: StoppableS3,
) -> None:
    owner = user_make()
    notebook = notebook_make(owner)
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    stoppable_storage.stop()
    answer = upload(client, notebook, ("data.csv", CSV))
    assert answer.status_code == 503
    assert answer.json()["code"] == "storage_unavailable"
    assert "Try again" in answer.json()["error"]
    notebook.refresh_from_db()
    assert notebook.current_revision.number == 1
    assert not FolderBlob.objects.filter(notebook=notebook).exists()


def test_a_file_address_is_for_one_object_and_expires() -> None:
    owner = user_make()
    notebook = notebook_make(owner)
    client = client_for(owner)
    url = by_path(put(client, notebook, "data.csv", CSV).json())["data.csv"]["url"]
    token = url.split("/files/")[1].split("/")[0]
    assert fetch(url.replace(token, token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
                 ).status_code == 404
    other = notebook_make(owner)
    forged = file_url(notebook_id=other.public_id, sha256=hashlib.sha256(CSV).hexdigest(),
                      path="data.csv")
    assert fetch(forged).status_code == 404  # that notebook has no such file
    expired = file_url(notebook_id=notebook.public_id, sha256=hashlib.sha256(CSV).hexdigest(),
                       path="data.csv", now=time.time() - 4 * 86400)
    assert fetch(expired).status_code == 404
    # The app's own site serves no file bytes at all.
    assert client.get(url[len("http://usercontent.testserver"):]).status_code == 404
    # A notebook in the trash stops serving its files.
    services.notebook_trash(notebook=notebook)
    assert fetch(url).status_code == 404


def test_writing_the_same_bytes_again_or_restoring_the_current_folder_changes_nothing() -> None:
    owner = user_make()
    notebook = notebook_make(owner)
    client = client_for(owner)
    first = put(client, notebook, "data.csv", CSV)
    assert first.status_code == 201
    again = put(client, notebook, "data.csv", CSV)
    assert again.status_code == 200
    assert again.json()["created"] is False
    assert again.json()["revision"] == first.json()["revision"]
    # The notebook the service was given knows its current revision after it, too.
    result = files_put(notebook=notebook, author=owner,
                       incoming=[Incoming("data.csv", io.BytesIO(CSV))])
    assert result.created is False
    assert notebook.current_revision == result.revision
    # Restoring the revision that is current in text and folder makes no new one.
    number = first.json()["revision"]
    restored = post_json(client, f"/api/notebooks/{notebook.public_id}/revisions/{number}/restore")
    assert restored.status_code == 200 and restored.json()["created"] is False


def test_a_fork_made_while_storage_is_down_is_refused_and_leaves_nothing(
    stoppable_storage: StoppableS3, caplog: pytest.LogCaptureFixture
) -> None:
    owner, other = user_make(), user_make()
    notebook = notebook_make(owner, visibility="public")
    put(client_for(owner), notebook, "data.csv", CSV)
    before = Notebook.objects.count()
    client = Client(raise_request_exception=False)
    client.force_login(other)
    # Its text was read just before (kept in this process): copying the files fails.
    assert client.get(f"/api/notebooks/{notebook.public_id}").status_code == 200
    stoppable_storage.stop()
    answer = post_json(client, f"/api/notebooks/{notebook.public_id}/fork")
    assert answer.status_code == 503 and answer.json()["code"] == "storage_unavailable"
    assert answer.json()["error"] == (
        "The notebook storage could not be reached; nothing was copied. Try again in a moment.")
    key = FolderBlob.objects.get(notebook=notebook).storage_key
    assert any(r.getMessage().startswith(
        f"copying {key} in notebook storage failed: Could not connect") for r in caplog.records)
    assert Notebook.objects.count() == before
    assert not StorageUsage.objects.filter(user=other, bytes_used__gt=0).exists()


def _all_keys(bucket: Bucket) -> set[str]:
    pages = bucket.client.get_paginator("list_objects_v2").paginate(
        Bucket=bucket.name, Prefix=bucket.prefix)
    return {item["Key"] for page in pages for item in page.get("Contents", [])}


def test_a_fork_copies_only_the_current_files_of_its_source(bucket: Bucket) -> None:
    owner, other, third = user_make(), user_make(), user_make()
    notebook = notebook_make(owner, visibility="public",
                             cells=[markdown("Rain in Oslo, by month."), code("x = 1", "x")])
    client = client_for(owner)
    put(client, notebook, "data.csv", b"old version\n")
    put(client, notebook, "data.csv", CSV)  # the old bytes stay, for the history
    # Someone else's notebook holds the same bytes: not the source's, never copied.
    put(client_for(third), notebook_make(third), "copy.csv", CSV)

    forked = post_json(client_for(other), f"/api/notebooks/{notebook.public_id}/fork")
    assert forked.status_code == 201, forked.content
    fork = Notebook.objects.get(public_id=forked.json()["id"])
    assert [b.sha256 for b in FolderBlob.objects.filter(notebook=fork)] == [
        hashlib.sha256(CSV).hexdigest()]
    revision_bytes = sum(dict(fork.revisions.values_list("storage_key", "size")).values())
    assert StorageUsage.objects.get(user=other).bytes_used == revision_bytes + len(CSV)
    # The files' revision keeps the uploader as its author and the text's summary.
    revisions = list(notebook.revisions.order_by("number"))
    assert {r.author_id for r in revisions[1:]} == {owner.pk}
    assert {r.summary for r in revisions} == {"Rain in Oslo, by month."}


def test_a_fork_past_the_forkers_storage_is_refused_and_its_copies_removed(
    settings: Settings, bucket: Bucket
) -> None:
    owner, other = user_make(), user_make()
    notebook = notebook_make(owner, visibility="public")
    put(client_for(owner), notebook, "data.csv", CSV)
    settings.STORAGE_PER_USER_BYTES = len(CSV) - 1
    keys = _all_keys(bucket)
    before = Notebook.objects.count()
    answer = post_json(client_for(other), f"/api/notebooks/{notebook.public_id}/fork")
    assert answer.status_code == 403 and answer.json()["code"] == "quota"
    assert Notebook.objects.count() == before
    assert _all_keys(bucket) == keys  # the copy made before the refusal is gone


def test_a_text_save_compares_with_its_own_notebooks_revision() -> None:
    owner = user_make()
    # Another notebook whose revision 1 holds other text, made first.
    notebook_make(owner, cells=[code("other = 1", "o")])
    notebook = notebook_make(owner)
    client = client_for(owner)
    put(client, notebook, "data.csv", CSV)
    saved = save_text(client, notebook, 1, text(5))
    assert saved.status_code == 201, saved.content


def test_a_forked_title_cut_to_fit_does_not_end_in_a_space() -> None:
    owner, other = user_make(), user_make()
    title = "a" * 192 + " " + "b" * 7  # the cut for " (fork)" falls after the space
    notebook = notebook_make(owner, title=title, visibility="public")
    forked = post_json(client_for(other), f"/api/notebooks/{notebook.public_id}/fork")
    assert forked.json()["title"] == "a" * 192 + " (fork)"


def test_folders_work_on_local_storage_as_make_run_keeps_them(local_storage: Path) -> None:
    owner, other = user_make(), user_make()
    notebook = notebook_make(owner, visibility="public")
    client = client_for(owner)
    upload(client, notebook, ("data.csv", CSV), folder="in")
    files = by_path(listing(client, notebook))
    assert body_of(files["in/data.csv"]["url"]) == CSV
    assert any(path.is_file() for path in local_storage.rglob("*") if "files" in path.parts)
    forked = post_json(client_for(other), f"/api/notebooks/{notebook.public_id}/fork")
    fork = Notebook.objects.get(public_id=forked.json()["id"])
    assert body_of(by_path(listing(client_for(other), fork))["in/data.csv"]["url"]) == CSV


def test_a_file_address_while_storage_is_down_says_try_again(
    stoppable_storage: StoppableS3, caplog: pytest.LogCaptureFixture
) -> None:
    owner = user_make()
    notebook = notebook_make(owner)
    url = by_path(put(client_for(owner), notebook, "data.csv", CSV).json())["data.csv"]["url"]
    stoppable_storage.stop()
    answer = Client(HTTP_HOST="usercontent.testserver", raise_request_exception=False).get(
        url[len("http://usercontent.testserver"):])
    assert answer.status_code == 503
    assert answer.content == b"The notebook storage could not be reached; try again in a moment."
    key = FolderBlob.objects.get(notebook=notebook).storage_key
    assert any(r.getMessage().startswith(
        f"reading {key} from notebook storage failed: Could not connect") for r in caplog.records)


def test_refusals_name_the_limit_and_the_file(settings: Settings) -> None:
    settings.FOLDER_FILE_MAX_BYTES = 2_500_000
    settings.FOLDER_FILES_MAX = 1
    owner = user_make()
    notebook = notebook_make(owner)
    client = client_for(owner)
    # Three chunks of a megabyte: the limit counts the whole file, not each chunk.
    big = upload(client, notebook, ("big.bin", b"x" * 3_000_000))
    assert big.status_code == 413
    assert big.json()["error"] == (
        "'big.bin' is larger than 2.5 MB, the most one file may hold. Nothing was changed.")
    put(client, notebook, "one.txt", b"1")
    many = put(client, notebook, "two.txt", b"2")
    assert many.json()["limit"] == 1
    missing = client.delete(f"/api/notebooks/{notebook.public_id}/files/nothing.txt")
    assert missing.json()["error"] == "The folder has no file or folder 'nothing.txt'."
    path = f"/api/notebooks/{notebook.public_id}/files/rename"
    inside = post_json(client, path, {"from": "one.txt", "to": "one.txt/deeper"})
    assert inside.json()["error"] == "'one.txt' cannot be moved inside itself."
    put(client, notebook, "one.txt", b"11")  # replaces it; the count stays 1
    settings.FOLDER_FILES_MAX = 2
    put(client, notebook, "two.txt", b"2")
    taken = post_json(client, path, {"from": "one.txt", "to": "two.txt"})
    assert taken.json()["error"] == (
        "'two.txt' already exists. Delete it first, or choose another name.")


def test_renames_and_deletes_are_revisions_by_the_person_who_made_them() -> None:
    owner, collaborator = user_make(), user_make()
    notebook = notebook_make(owner)
    collaborator_make(notebook, collaborator)
    put(client_for(owner), notebook, "a.txt", b"a")
    theirs = client_for(collaborator)
    post_json(theirs, f"/api/notebooks/{notebook.public_id}/files/rename",
              {"from": "a.txt", "to": "b.txt"})
    renamed = notebook.revisions.order_by("-number").first()
    theirs.delete(f"/api/notebooks/{notebook.public_id}/files/b.txt")
    deleted = notebook.revisions.order_by("-number").first()
    assert renamed.files == {"b.txt": hashlib.sha256(b"a").hexdigest()}
    assert (renamed.author, deleted.author, deleted.files) == (collaborator, collaborator, {})


def test_a_file_address_is_checked_against_the_time_it_is_opened() -> None:
    from folders.links import file_url_open

    url = file_url(notebook_id="n" * 22, sha256="s" * 64, path="a.csv", now=1_000_000.0)
    token = url.split("/files/")[1].split("/")[0]
    assert file_url_open(token, now=1_000_000.0) == ("n" * 22, "s" * 64)
    assert file_url_open(token, now=1_000_000.0 + 4 * 86400) is None
