"""ui.file: base64 in, bytes in Python, with size limits, accept filters and one-or-many."""

from __future__ import annotations

import base64

import pytest

from kernels import ui
from kernels.ui import UIValueError


def wire(name: str, contents: bytes, type_: str = "text/plain", **extra) -> dict:
    entry = {"name": name, "type": type_, "size": len(contents),
             "contents": base64.b64encode(contents).decode("ascii")}
    return entry | extra


def test_upload_gives_named_byte_contents():
    upload = ui.file(accept=[".csv", "text/plain"], label="Data")
    spec = upload._spec()
    assert spec["kind"] == "file" and spec["value"] == []
    assert spec["props"] == {"accept": [".csv", "text/plain"], "multiple": False,
                             "max_size": 10 * 1024 * 1024}
    upload._update([wire("Sales.CSV", b"a,b\n1,2\n", "text/csv")])
    [uploaded] = upload.value
    assert (uploaded.name, uploaded.contents, uploaded.type, uploaded.size) == (
        "Sales.CSV", b"a,b\n1,2\n", "text/csv", 8)
    assert uploaded.text() == "a,b\n1,2\n"
    assert repr(uploaded) == "UploadedFile(name='Sales.CSV', type='text/csv', size=8)"
    assert upload._to_wire() == [{"name": "Sales.CSV", "type": "text/csv", "size": 8}], (
        "outputs never carry the contents back"
    )
    upload._update([])
    assert upload.value == []


def test_several_files_need_multiple_true():
    one = ui.file()
    files = [wire("a.txt", b"a"), wire("b.txt", b"b")]
    with pytest.raises(UIValueError, match="2 files were sent but this element takes one"):
        one._update(files)
    many = ui.file(multiple=True)
    many._update(files)
    assert [f.name for f in many.value] == ["a.txt", "b.txt"]


def test_size_limit_covers_all_files_and_says_how_to_raise_it():
    upload = ui.file(multiple=True, max_size=10)
    upload._update([wire("a", b"x" * 6), wire("b", b"y" * 4)])
    with pytest.raises(UIValueError, match=r"file 'b' is too large: the upload would be 11 bytes, "
                                           r"over this element's limit of 10 bytes \(raise it with max_size=\)"):
        upload._update([wire("a", b"x" * 6), wire("b", b"y" * 5)])
    assert [f.size for f in upload.value] == [6, 4], "a refused upload changes nothing"
    big = ui.file()
    with pytest.raises(UIValueError, match=r"10.0 MB"):
        big._update([{"name": "huge.bin", "contents": "A" * (14 * 1024 * 1024 + 4)}])


def test_accept_filters_by_extension_or_mime_type():
    images = ui.file(accept="image/*")
    images._update([wire("p.png", b"\x89PNG", "image/png")])
    with pytest.raises(UIValueError, match=r"file 'x.exe' is not accepted here: expected image/\*"):
        images._update([wire("x.exe", b"MZ", "application/octet-stream")])
    with pytest.raises(ValueError, match="accept takes extensions"):
        ui.file(accept=["csv"])


@pytest.mark.parametrize(("entry", "message"), [
    ("a.txt", "file 0 must be an object"),
    ({"name": "", "contents": ""}, 'non-empty "name"'),
    ({"name": "a", "contents": "!!!"}, "not valid base64"),
    ({"name": "a", "contents": 5}, "must be base64 text"),
    ({"name": "a", "contents": "YQ==", "size": 9}, '"size" says 9 bytes but the contents have 1'),
    ({"name": "a", "contents": "YQ==", "path": "/etc"}, r"unknown fields \['path'\]"),
])
def test_malformed_files_are_refused(entry, message):
    with pytest.raises(UIValueError, match=message):
        ui.file()._update([entry])


def test_the_value_must_be_a_list():
    with pytest.raises(UIValueError, match="must be a list of files"):
        ui.file()._update({"name": "a"})
