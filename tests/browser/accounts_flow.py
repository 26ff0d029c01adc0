"""Signing up and in through the real allauth pages, as a person would (browser tests).

Mail comes from the service's file backend (``RunningService.mails``): the
verification link is read from the mail the service sent.
"""

from __future__ import annotations

import re
import secrets
import time

from playwright.sync_api import Frame, Page, expect

from tests.browser.notebook_page import NotebookPage
from tests.browser.service import RunningService

PASSWORD = "a-Long-enough-passw0rd"
_CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/\S+/")


def new_email() -> str:
    return f"user-{secrets.token_hex(4)}@example.com"


def verification_link(service: RunningService, email: str, timeout: float = 15) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for mail in reversed(service.mails()):
            if email in mail and (match := _CONFIRM_LINK.search(mail)):
                return match.group(0)
        time.sleep(0.1)
    raise AssertionError(f"no verification mail for {email} in {service.mail_dir}")


def sign_up_and_verify(page: Page, service: RunningService, email: str | None = None) -> str:
    """Sign up with a new address, follow the link in the mail, end signed in."""
    email = email or new_email()
    page.goto("/")
    page.get_by_test_id("sign-up").click()
    page.locator("#id_email").fill(email)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("sign up", re.I)).click()
    expect(page.get_by_text(re.compile("verify your email", re.I)).first).to_be_visible()
    page.goto(verification_link(service, email))
    page.get_by_role("button", name=re.compile("confirm", re.I)).click()
    expect(page.get_by_test_id("nav-account")).to_have_text(email)
    return email


def sign_in_here(page: Page, email: str) -> None:
    """Fill in and send the log-in form the page shows."""
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()


def log_in(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    sign_in_here(page, email)
    expect(page.get_by_test_id("nav-account")).to_have_text(email)


def playground_frame(page: Page) -> Frame:
    """The playground framed by an app page, once it shows its notebook."""
    iframe = page.locator("#playground-frame")
    expect(iframe).to_have_attribute("data-state", "opened")
    frame = iframe.element_handle().content_frame()
    assert frame is not None
    return frame


def framed_notebook(page: Page, *, wait_for_kernel: bool = True) -> NotebookPage:
    notebook = NotebookPage(page, playground_frame(page))
    if wait_for_kernel:
        notebook.wait_for_kernel()
    return notebook


def new_notebook(page: Page, title: str) -> NotebookPage:
    """Make a notebook from the dashboard and wait for its editor's playground."""
    page.goto("/notebooks/")
    page.locator("#new-title").fill(title)
    page.get_by_test_id("new-start").select_option("empty")  # one empty cell, to type into
    page.get_by_test_id("new-notebook").click()
    expect(page.get_by_test_id("notebook-title")).to_have_value(title)
    return framed_notebook(page)


def save_and_wait(page: Page, revision: int) -> None:
    """Click the editor's Save and wait until it says ``revision`` is saved."""
    page.get_by_test_id("host-save").click()
    expect(page.get_by_test_id("save-status")).to_have_text(f"Saved · revision {revision}")
