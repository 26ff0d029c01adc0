"""An upload cut halfway leaves nothing behind (docs/folders.md): against the real
service over a real socket, as a browser whose connection dropped would send it."""

from __future__ import annotations

import json
import socket
import urllib.request
from collections.abc import Callable
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext

from tests.browser.accounts_flow import new_notebook, sign_up_and_verify
from tests.browser.service import RunningService


def test_an_upload_cut_halfway_changes_nothing(
    new_context: Callable[..., BrowserContext], service: RunningService
) -> None:
    context = new_context(app=True)
    page = context.new_page()
    sign_up_and_verify(page, service)
    new_notebook(page, "Cut")
    notebook_id = urlsplit(page.url).path.strip("/").split("/")[1]
    cookies = {c["name"]: c["value"] for c in context.cookies(service.base_url)}
    cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
    files_url = f"{service.base_url}/api/notebooks/{notebook_id}/files"

    def folder() -> dict[str, object]:
        request = urllib.request.Request(files_url, headers={"Cookie": cookie})
        with urllib.request.urlopen(request) as answer:
            return dict(json.load(answer))

    before = folder()
    boundary = "cutcutcut"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"big.csv\"\r\nContent-Type: text/csv\r\n\r\n").encode()
    whole = head + b"x" * 1_000_000 + f"\r\n--{boundary}--\r\n".encode()
    address = urlsplit(service.base_url)
    with socket.create_connection((address.hostname, address.port)) as connection:
        connection.sendall(
            f"POST {urlsplit(files_url).path} HTTP/1.1\r\nHost: {address.netloc}\r\n"
            f"Cookie: {cookie}\r\nX-CSRFToken: {cookies['csrftoken']}\r\n"
            f"Origin: {service.base_url}\r\nReferer: {service.base_url}/\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
            f"Content-Length: {len(whole)}\r\nConnection: close\r\n\r\n".encode()
            + whole[: len(whole) // 2]
        )
        connection.shutdown(socket.SHUT_WR)  # the connection drops halfway
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    status = int(answer.split(b" ", 2)[1]) if answer else 0
    # daphne drops such a request without an answer; whatever it says, never a success.
    assert not 200 <= status < 300, answer[:500]
    # The folder and the notebook's revision are as they were.
    assert folder() == before
